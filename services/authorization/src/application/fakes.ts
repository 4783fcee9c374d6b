import type { AuthorizationEvent } from '../domain/events.js';
import type { Membership } from '../domain/membership.js';
import type { Project } from '../domain/project.js';
import type { User } from '../domain/user.js';
import type { Dependencies } from './use-cases.js';
import type { Transaction, UnitOfWork } from './ports.js';

type State = { projects: Project[]; users: User[]; memberships: Membership[]; published: AuthorizationEvent[] };

/** In-memory ports for application tests. A unit of work that throws leaves the state as it was. */
export function makeFakes(options: { now?: Date } = {}) {
  let state: State = { projects: [], users: [], memberships: [], published: [] };
  let counter = 0;
  const uow: UnitOfWork = async (_context, work) => {
    const draft: State = structuredClone(state);
    const tx: Transaction = {
      projects: {
        findByName: async (name) => draft.projects.find((p) => p.name === name),
        insertIfNameFree: async (project) => {
          if (draft.projects.some((p) => p.name === project.name)) return false;
          draft.projects.push(project);
          return true;
        },
      },
      users: {
        findByUsername: async (username) => draft.users.find((u) => u.username === username),
        insertIfUsernameFree: async (user) => {
          if (draft.users.some((u) => u.username === user.username)) return false;
          draft.users.push(user);
          return true;
        },
      },
      memberships: {
        upsert: async (membership) => {
          draft.memberships = draft.memberships.filter((m) => !(m.projectId === membership.projectId && m.userId === membership.userId));
          draft.memberships.push(membership);
        },
      },
      outbox: { append: async (events) => void draft.published.push(...events) },
    };
    const result = await work(tx);
    state = draft;
    return result;
  };
  const deps: Dependencies = {
    uow,
    clock: () => options.now ?? new Date('2026-11-01T10:00:00Z'),
    ids: () => `id-${++counter}`,
    hasher: {
      hash: async (password) => `hashed:${password}`,
      verify: async (password, hash) => hash === `hashed:${password}`,
    },
  };
  return { deps, state: () => state };
}
