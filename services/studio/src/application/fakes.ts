import { makeInMemoryUnitOfWork } from '@trellis/platform/testing/unit-of-work';
import type { LibraryAction } from '../domain/library-action.js';
import type { ProjectStatus, Transaction, UnitOfWork } from './ports.js';

export type FakeState = { projects: Record<string, ProjectStatus>; library: LibraryAction[] };

const key = (a: { projectId: string; actionId: string; version: string }) => `${a.projectId}/${a.actionId}@${a.version}`;

/** In-memory ports with the Postgres adapters' rules (checked by test/library-ports.int.test.ts). */
export function makeFakes(initial: Partial<FakeState> = {}) {
  let state: FakeState = { projects: {}, library: [], ...initial };
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
  });
  const uow: UnitOfWork = makeInMemoryUnitOfWork({ get: () => state, set: (next) => { state = next; } }, bind);
  return { uow, state: () => state, bind };
}

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
