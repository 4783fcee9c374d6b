import { bootstrapInstance } from './bootstrap-instance.js';
import { createProject, type CreateProjectInput } from './create-project.js';
import type { Clock, Ids, PasswordHasher, UnitOfWork } from './ports.js';

export type Dependencies = { uow: UnitOfWork; clock: Clock; ids: Ids; hasher: PasswordHasher };

export function makeUseCases(deps: Dependencies) {
  return {
    bootstrapInstance: (input: { adminPassword: string | undefined; traceId: string }) => bootstrapInstance(deps, input),
    createProject: (input: CreateProjectInput) => createProject(deps, input),
  };
}

export type UseCases = ReturnType<typeof makeUseCases>;
