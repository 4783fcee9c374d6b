import { ok, rejected } from '@trellis/kernel/result';
import { makeInMemoryUnitOfWork } from '@trellis/platform/testing/unit-of-work';
import type { Build } from '../domain/build.js';
import type { Scan, ScanFailure } from '../domain/scan.js';
import type { ActionDescription, FoundAction, ScanProblem } from '../domain/scan-result.js';
import type { Source } from '../domain/source.js';
import type { ActionFinder, Checkout, Git, RepositoryEvent, ScanFindings, SourceArchives, Transaction, UnitOfWork, Vault } from './ports.js';

export type FakeState = {
  projects: string[];
  sources: Array<{ source: Source; sealedPassword: string | null }>;
  scans: Array<{ scan: Scan; owner: string | null; findings: ScanFindings | null }>;
  builds: Build[];
  outbox: Array<RepositoryEvent & { traceId: string }>;
};

/** In-memory ports with the rules of the Postgres adapters (test/ports.int.test.ts runs the same suite on both). */
export function makeFakes(initial: Partial<FakeState> = {}) {
  let state: FakeState = { projects: [], sources: [], scans: [], builds: [], outbox: [], ...initial };
  const bind = (draft: FakeState): Transaction => {
    const sourceRow = (projectId: string, id: string) => draft.sources.find((row) => row.source.projectId === projectId && row.source.id === id);
    const scanRow = (id: string) => draft.scans.find((row) => row.scan.id === id);
    const lastDone = (sourceId: string, except?: string) =>
      draft.scans.filter((row) => row.scan.sourceId === sourceId && row.scan.status === 'done' && row.scan.id !== except)
        .sort((a, b) => (b.scan.finishedAt?.getTime() ?? 0) - (a.scan.finishedAt?.getTime() ?? 0))[0];
    return {
      projects: {
        isKnown: async (projectId) => draft.projects.includes(projectId),
        lockIfKnown: async (projectId) => draft.projects.includes(projectId),
        ids: async () => [...draft.projects],
      },
      sources: {
        insertIfNameFree: async (source, sealedPassword) => {
          if (draft.sources.some((row) => row.source.projectId === source.projectId && row.source.name === source.name)) return false;
          draft.sources.push({ source, sealedPassword });
          return true;
        },
        find: async (projectId, id) => sourceRow(projectId, id)?.source,
        findForUpdate: async (projectId, id) => sourceRow(projectId, id)?.source,
        findWithSecret: async (projectId, id) => sourceRow(projectId, id),
        findManaged: async (projectId) => draft.sources.find((row) => row.source.projectId === projectId && row.source.managed)?.source,
        update: async (source, sealedPassword) => {
          if (draft.sources.some((row) => row.source.projectId === source.projectId && row.source.name === source.name && row.source.id !== source.id)) return false;
          const row = sourceRow(source.projectId, source.id);
          if (row) Object.assign(row, { source, sealedPassword: sealedPassword === undefined ? row.sealedPassword : sealedPassword });
          return true;
        },
        delete: async (projectId, id) => {
          draft.sources = draft.sources.filter((row) => !(row.source.projectId === projectId && row.source.id === id));
          draft.scans = draft.scans.filter((row) => row.scan.sourceId !== id);
          draft.builds = draft.builds.filter((build) => build.sourceId !== id);
        },
      },
      scans: {
        findQueued: async (sourceId) => draft.scans.find((row) => row.scan.sourceId === sourceId && row.scan.status === 'queued')?.scan,
        hasPending: async (sourceId) => draft.scans.some((row) => row.scan.sourceId === sourceId && (row.scan.status === 'queued' || row.scan.status === 'running')),
        insert: async (scan) => {
          draft.scans.push({ scan, owner: null, findings: null });
        },
        findForUpdate: async (projectId, id) => {
          const row = scanRow(id);
          return row?.scan.projectId === projectId ? row.scan : undefined;
        },
        update: async (scan) => {
          const row = scanRow(scan.id);
          if (row) Object.assign(row, { scan, owner: scan.status === 'canceled' ? null : row.owner });
        },
        finish: async (scan, owner, findings) => {
          const row = scanRow(scan.id);
          if (!row || row.scan.status !== 'running' || row.owner !== owner) return false;
          Object.assign(row, { scan, owner: null, findings: scan.status === 'done' ? findings ?? null : null });
          return true;
        },
        previousActions: async (sourceId, exceptScanId) =>
          lastDone(sourceId, exceptScanId)?.findings?.actions.map((a) => ({ id: a.action.id, version: a.action.version, folder: a.folder, sha256: a.sha256 })),
        lastDone: async (sourceId) => {
          const row = lastDone(sourceId);
          return row && { scanId: row.scan.id, commit: row.scan.commit ?? '', actions: [...(row.findings?.actions ?? [])] };
        },
      },
      builds: {
        insert: async (builds) => {
          draft.builds.push(...builds);
        },
        findForUpdate: async (id) => draft.builds.find((build) => build.id === id),
        update: async (build) => {
          draft.builds = draft.builds.map((existing) => (existing.id === build.id ? build : existing));
        },
        ofSource: async (sourceId) =>
          draft.builds.filter((build) => build.sourceId === sourceId).map(({ actionId, version, status }) => ({ actionId, version, status })),
      },
      outbox: {
        append: async (events, traceId) => {
          draft.outbox.push(...events.map((event) => ({ ...event, traceId })));
        },
      },
    };
  };
  const uow: UnitOfWork = makeInMemoryUnitOfWork({ get: () => state, set: (next) => { state = next; } }, bind);
  /** What a worker's claim does (the adapter's SQL): the scan runs, held by `owner`. */
  const claim = (scanId: string, owner: string): Scan => {
    const row = state.scans.find((r) => r.scan.id === scanId);
    if (!row) throw new Error(`no scan ${scanId}`);
    row.scan = { ...row.scan, status: 'running', attempt: row.scan.attempt + 1, startedAt: row.scan.requestedAt };
    row.owner = owner;
    return row.scan;
  };
  return { uow, state: () => state, bind, claim };
}

/** Seals by wrapping, so a test sees what was sealed for which row; opens only its own values. */
export const fakeVault: Vault = {
  seal: (plaintext, context) => `sealed(${context}):${Buffer.from(plaintext).toString('base64')}`,
  open: (sealed, context) => {
    const prefix = `sealed(${context}):`;
    if (!sealed.startsWith(prefix)) throw new Error('does not open');
    return Buffer.from(sealed.slice(prefix.length), 'base64').toString();
  },
};

export function anAction(id: string, extra: Partial<ActionDescription> = {}): ActionDescription {
  return {
    id, version: '1.0.0', kind: 'Processor', name: id, description: `The ${id} action`, runtime: 'nodejs', handler: 'handler.js', categories: [],
    inputs: [{ name: 'text', type: 'string', help: '', optional: false, hasSecretDefault: false }], outputs: [], resources: {}, format: 'trellis', manifest: 'trellis.yaml', ...extra,
  };
}

/** A repository as the fake git, finder and archiver see it: each folder's action and content. */
export type FakeRepository = { commit: string; branch: string; actions: Array<{ folder: string; action: ActionDescription; content: string }>; problems: ScanProblem[] };

export function makeFakeScanWorld(repository: FakeRepository | ScanFailure) {
  const clones: Array<{ url: string; branch: string | null; credentials: { username: string; password: string } | null }> = [];
  let disposed = 0;
  const git: Git = {
    checkout: async (request) => {
      clones.push(request);
      if ('code' in repository) return rejected(repository);
      const checkout: Checkout = { root: '/checkout', commit: repository.commit, branch: request.branch ?? repository.branch, dispose: async () => { disposed += 1; } };
      return ok(checkout);
    },
  };
  const finder: ActionFinder = {
    find: async () => ({
      actions: 'code' in repository ? [] : repository.actions.map(({ folder, action }): FoundAction => ({ folder, action })),
      problems: 'code' in repository ? [] : repository.problems,
    }),
  };
  const archives: SourceArchives = {
    store: async ({ projectId, sourceId, found }) => {
      const content = 'code' in repository ? '' : repository.actions.find((a) => a.folder === found.folder)?.content ?? '';
      const sha256 = Buffer.from(content).toString('hex').padEnd(64, '0').slice(0, 64);
      return { ...found, sha256, size: content.length, object: `repository/projects/${projectId}/sources/${sourceId}/${sha256}.tar.gz` };
    },
  };
  return { git, finder, archives, clones, disposed: () => disposed };
}
