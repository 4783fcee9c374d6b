import { makeInMemoryUnitOfWork } from '@trellis/platform/testing/unit-of-work';
import type { LibraryAction } from '../domain/library-action.js';
import type { Secret, Variable } from '../domain/project-values.js';
import type { ProjectStatus, RunnerSealer, StudioEvent, Transaction, UnitOfWork, Vault } from './ports.js';

export type FakeState = {
  projects: Record<string, ProjectStatus>;
  library: LibraryAction[];
  variables: Variable[];
  /** Each secret with its value as the Vault sealed it. */
  secrets: Array<{ secret: Secret; sealed: string }>;
  /** The last revision taken. */
  revision: number;
  outbox: Array<StudioEvent & { traceId: string }>;
};

const key = (a: { projectId: string; actionId: string; version: string }) => `${a.projectId}/${a.actionId}@${a.version}`;

/** In-memory ports with the Postgres adapters' rules (checked by test/library-ports.int.test.ts). */
export function makeFakes(initial: Partial<FakeState> = {}) {
  let state: FakeState = { projects: {}, library: [], variables: [], secrets: [], revision: 0, outbox: [], ...initial };
  const same = (projectId: string, name: string) => (item: { projectId: string; name: string }) => item.projectId === projectId && item.name === name;
  const bind = (draft: FakeState): Transaction => ({
    projects: { statusOf: async (projectId) => draft.projects[projectId] ?? 'unknown' },
    library: {
      findForUpdate: async (projectId, actionId, version) => draft.library.find((a) => key(a) === key({ projectId, actionId, version })),
      save: async (action) => {
        draft.library = [...draft.library.filter((a) => key(a) !== key(action)), action];
      },
      delete: async (projectId, actionId, version) => {
        const before = draft.library.length;
        draft.library = draft.library.filter((a) => key(a) !== key({ projectId, actionId, version }));
        return draft.library.length < before;
      },
    },
    variables: {
      find: async (projectId, name) => draft.variables.find(same(projectId, name)),
      save: async (variable) => {
        draft.variables = [...draft.variables.filter((v) => !same(variable.projectId, variable.name)(v)), variable];
      },
      delete: async (projectId, name) => {
        const before = draft.variables.length;
        draft.variables = draft.variables.filter((v) => !same(projectId, name)(v));
        return draft.variables.length < before;
      },
      all: async (projectId) => draft.variables.filter((v) => v.projectId === projectId).sort(byName).map(({ name, value }) => ({ name, value })),
    },
    secrets: {
      find: async (projectId, name) => draft.secrets.find((row) => same(projectId, name)(row.secret))?.secret,
      save: async (secret, sealed) => {
        draft.secrets = [...draft.secrets.filter((row) => !same(secret.projectId, secret.name)(row.secret)), { secret, sealed }];
      },
      delete: async (projectId, name) => {
        const before = draft.secrets.length;
        draft.secrets = draft.secrets.filter((row) => !same(projectId, name)(row.secret));
        return draft.secrets.length < before;
      },
      names: async (projectId) => draft.secrets.map((row) => row.secret).filter((s) => s.projectId === projectId).sort(byName).map((s) => s.name),
    },
    revisions: { next: async () => ++draft.revision },
    outbox: {
      append: async (events, traceId) => {
        draft.outbox.push(...events.map((event) => ({ ...event, traceId })));
      },
    },
  });
  const uow: UnitOfWork = makeInMemoryUnitOfWork({ get: () => state, set: (next) => { state = next; } }, bind);
  return { uow, state: () => state, bind };
}

/** Names sort as Postgres sorts them under `collate "C"`: by code point. */
const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Seals by wrapping, so a test sees what was sealed for which row; opens only its own values. */
export const fakeVault: Vault = {
  seal: (plaintext, context) => `sealed(${context}):${Buffer.from(plaintext).toString('base64')}`,
  open: (sealed, context) => {
    const prefix = `sealed(${context}):`;
    if (!sealed.startsWith(prefix)) throw new Error('does not open');
    return Buffer.from(sealed.slice(prefix.length), 'base64').toString();
  },
};

/** "Seals" for the runner by wrapping with the binding, so a test sees what was sealed for whom. */
export const fakeRunnerSealer: RunnerSealer = {
  seal: async (plaintext, binding) => ({ sealedValue: new TextEncoder().encode(`runner(${binding.projectId}/${binding.name}):${plaintext}`), keyId: 'fake-runner-key' }),
};

export function aLibraryAction(overrides: Partial<LibraryAction> = {}): LibraryAction {
  return {
    projectId: 'p1', actionId: 'add-one', version: '1.0.0', kind: 'Processor', name: 'Add one', description: 'Adds one to n.',
    runtime: 'nodejs', format: 'trellis', categories: ['math'], inputs: [{ name: 'n', type: 'integer', help: '', optional: false }],
    outputs: [{ name: 'n', type: 'integer', help: '', optional: false }], resources: {}, digest: 'a'.repeat(64),
    artifactObject: 'action-builder/projects/p1/artifacts/a.tar.gz', artifactSize: 10, logo: null,
    origin: { sourceId: 's1', commit: 'c1', folder: 'add-one', buildId: 'b1' }, builtAt: new Date('2026-11-01T10:00:00Z'),
    ...overrides,
  };
}
