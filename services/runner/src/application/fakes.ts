import { makeInMemoryUnitOfWork } from '@trellis/platform/testing/unit-of-work';
import type { Change, JsonValue, ValueKind } from '../domain/project-value.js';
import type { ProjectStatus, ProjectValues, Transaction, UnitOfWork } from './ports.js';

/** The last change applied to each name, keyed `<project>/<kind>/<name>`. */
export type FakeState = { projects: Record<string, ProjectStatus>; values: Record<string, Change> };

const key = (projectId: string, kind: ValueKind, name: string) => `${projectId}/${kind}/${name}`;

/** In-memory ports with the Postgres adapters' rules (checked by test/project-values-ports.int.test.ts). */
export function makeFakes(initial: Partial<FakeState> = {}) {
  let state: FakeState = { projects: {}, values: {}, ...initial };
  const bind = (draft: FakeState): Transaction => ({
    projects: { statusForUpdate: async (projectId) => draft.projects[projectId] ?? 'unknown' },
    values: {
      held: async (projectId, kind, name) => {
        const last = draft.values[key(projectId, kind, name)];
        return last ? { revision: last.revision, deleted: last.type === 'delete' } : undefined;
      },
      apply: async (change) => {
        draft.values = { ...draft.values, [key(change.projectId, change.kind, change.name)]: change };
      },
    },
  });
  const uow: UnitOfWork = makeInMemoryUnitOfWork({ get: () => state, set: (next) => { state = next; } }, bind);
  return { uow, state: () => state, bind };
}

/** Project values as runs read them, given in clear (what a use case that resolves inputs needs). */
export function makeFakeProjectValues(given: { variables?: Record<string, Record<string, JsonValue>>; secrets?: Record<string, Record<string, string>> } = {}): ProjectValues {
  return {
    variables: async (projectId) => ({ ...given.variables?.[projectId] }),
    secret: async (projectId, name) => given.secrets?.[projectId]?.[name],
  };
}

/** A change as studio announces it; `overrides` pick the kind, type and values. */
export function aVariableSet(overrides: Partial<Extract<Change, { kind: 'variable'; type: 'set' }>> = {}): Change {
  return { kind: 'variable', type: 'set', projectId: 'p1', name: 'REGION', revision: 1n, changedAt: new Date('2026-12-01T10:00:00Z'), value: 'eu-west', ...overrides };
}

export function aDeletion(overrides: Partial<Extract<Change, { type: 'delete' }>> = {}): Change {
  return { kind: 'variable', type: 'delete', projectId: 'p1', name: 'REGION', revision: 2n, changedAt: new Date('2026-12-01T11:00:00Z'), ...overrides };
}
