import { ok, type Result } from '@trellis/kernel/result';
import { makeInMemoryUnitOfWork } from '@trellis/platform/testing/unit-of-work';
import type { ActionDescription } from '../domain/action.js';
import * as Build from '../domain/build.js';
import type { BuilderEvent } from '../domain/events.js';
import type {
  ArtifactStore, BuildFailure, BuildLog, BuildLogs, BuildRepository, HeldBuild, Leases, LoadedAction, ProjectStatus, SealedArtifact,
  StepContext, Toolchain, Transaction, UnitOfWork,
} from './ports.js';

export type FakeState = {
  builds: Record<string, Build.Build>;
  published: BuilderEvent[];
  projects: Record<string, ProjectStatus>;
  /** How many committed transactions woke the builders. */
  wakes: number;
};

/** The build repository on a draft of the state, with the semantics of the Postgres adapter (checked by the port contract suite). */
export function makeFakeBuildRepository(state: Pick<FakeState, 'builds'>): BuildRepository {
  return {
    insertIfAbsent: async (build) => {
      if (state.builds[build.id]) return false;
      state.builds[build.id] = build;
      return true;
    },
    lock: async (id) => state.builds[id],
    lockInProject: async (projectId, id) => (state.builds[id]?.projectId === projectId ? state.builds[id] : undefined),
    claim: async ({ owner, now, leaseMs, limit }) => {
      const claimable = Object.values(state.builds)
        .filter((build) => Build.isClaimable(build, now))
        .sort((a, b) => a.requestedAt.getTime() - b.requestedAt.getTime() || a.id.localeCompare(b.id))
        .slice(0, limit)
        .map((build) => Build.claim(build, { owner, now, leaseMs }));
      for (const build of claimable) state.builds[build.id] = build;
      return claimable;
    },
    save: async (build) => {
      state.builds[build.id] = build;
    },
  };
}

export function makeFakeLeases(state: { get: () => Pick<FakeState, 'builds'> }): Leases {
  return {
    renew: async (owner, buildIds, now, leaseMs): Promise<HeldBuild[]> => {
      const held: HeldBuild[] = [];
      for (const build of Object.values(state.get().builds)) {
        if (build.state !== 'running' || build.lease?.owner !== owner || !buildIds.includes(build.id)) continue;
        state.get().builds[build.id] = { ...build, lease: { owner, expiresAt: new Date(now.getTime() + leaseMs) } };
        held.push({ id: build.id, attempt: build.attempt, cancelRequested: build.cancelRequestedBy !== null });
      }
      return held;
    },
  };
}

export const anAction = (overrides: Partial<ActionDescription> = {}): ActionDescription => ({
  kind: 'Processor', id: 'echo', version: '1.0.0', name: 'Echo', description: 'Says it back', runtime: 'nodejs', handler: 'handler.js',
  categories: ['examples'], resources: { timeoutMs: 10_000 }, format: 'trellis',
  inputs: [{ name: 'text', type: 'string', help: '', optional: false, values: [] }, { name: 'token', type: 'password', help: '', optional: true, values: [], default: 'hunter2' }],
  outputs: [{ name: 'text', type: 'string', help: '', optional: false, values: [] }],
  ...overrides,
});

export type FakeSteps = {
  fetch: () => Promise<Result<string, BuildFailure>>;
  load: () => Promise<Result<LoadedAction, BuildFailure>>;
  install: (context: StepContext) => Promise<Result<void, BuildFailure>>;
  seal: () => Promise<SealedArtifact>;
};

/** A toolchain whose steps a test chooses; by default every step succeeds at once. */
export function makeFakeToolchain(steps: Partial<FakeSteps> = {}): Toolchain & { disposed: number } {
  const chosen: FakeSteps = {
    fetch: async () => ok('/work/action'),
    load: async () => ok({ description: anAction(), logo: null, definition: {} }),
    install: async () => ok(undefined),
    seal: async () => ({ file: '/work/artifact.tar.gz', digest: 'd'.repeat(64), size: 1234 }),
    ...steps,
  };
  const toolchain = {
    disposed: 0,
    workspace: async () => ({ dir: '/work', dispose: async () => void (toolchain.disposed += 1) }),
    fetchSource: () => chosen.fetch(),
    loadAction: () => chosen.load(),
    installDependencies: (_action: LoadedAction, _folder: string, _workspace: unknown, context: StepContext) => chosen.install(context),
    seal: () => chosen.seal(),
  };
  return toolchain;
}

export function makeFakeLogs(): BuildLogs & { lines: Record<string, string[]>; stored: string[] } {
  const logs = {
    lines: {} as Record<string, string[]>,
    stored: [] as string[],
    open: async (build: Build.Build): Promise<BuildLog> => {
      const lines = (logs.lines[build.id] ??= []);
      return {
        write: (line) => void lines.push(line),
        tail: (maxBytes) => Build.tailOf(lines.map((line) => `${line}\n`).join(''), maxBytes),
        store: async () => {
          const key = `action-builder/projects/${build.projectId}/builds/${build.id}/log.txt`;
          logs.stored.push(key);
          return key;
        },
        close: async () => undefined,
      };
    },
  };
  return logs;
}

export function makeFakeArtifacts(): ArtifactStore & { keys: string[] } {
  const store = {
    keys: [] as string[],
    put: async (projectId: string, artifact: SealedArtifact) => {
      const key = `action-builder/projects/${projectId}/artifacts/${artifact.digest}.tar.gz`;
      store.keys.push(key);
      return key;
    },
  };
  return store;
}

/** In-memory ports for application tests. A unit of work that throws or rejects leaves the state as it was. */
export function makeFakes(options: { now?: Date } = {}) {
  let state: FakeState = { builds: {}, published: [], projects: {}, wakes: 0 };
  let now = options.now ?? new Date('2026-11-01T10:00:00Z');
  const bind = (draft: FakeState): Transaction => ({
    builds: makeFakeBuildRepository(draft),
    outbox: { append: async (events) => void draft.published.push(...events) },
    queue: { wake: async () => void (draft.wakes += 1) },
    projects: { status: async (projectId) => draft.projects[projectId] ?? 'unknown' },
  });
  const inMemory: UnitOfWork = makeInMemoryUnitOfWork({ get: () => state, set: (next) => (state = next) }, bind);
  // One unit of work at a time, as row locks make concurrent claims of the same build wait in Postgres.
  let queue: Promise<unknown> = Promise.resolve();
  const uow: UnitOfWork = (work, options) => {
    const next = queue.then(() => inMemory(work, options));
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    uow,
    clock: () => now,
    leases: makeFakeLeases({ get: () => state }),
    state: () => state,
    /** Runs `work` directly on the state, as a consumer's transaction does. */
    inTransaction: <T>(work: (tx: Transaction) => Promise<T>) => uow(work),
    knowProject: (projectId: string, status: ProjectStatus = 'known') => void (state.projects[projectId] = status),
    advance: (ms: number) => void (now = new Date(now.getTime() + ms)),
  };
}
