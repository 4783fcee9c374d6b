import type { Clock } from '@trellis/kernel/ports';
import { deleteSecret } from './delete-secret.js';
import { deleteVariable } from './delete-variable.js';
import type { RunnerSealer, UnitOfWork, Vault } from './ports.js';
import { setSecret } from './set-secret.js';
import { setVariable } from './set-variable.js';

type InputOf<F> = F extends (deps: never, input: infer I) => unknown ? I : never;

export type ProjectValueDeps = { uow: UnitOfWork; clock: Clock; vault: Vault; sealer: RunnerSealer };

/** The use cases of the project's variables and secrets, bound once to their dependencies. */
export function makeProjectValueUseCases(deps: ProjectValueDeps) {
  return {
    setVariable: (input: InputOf<typeof setVariable>) => setVariable(deps, input),
    deleteVariable: (input: InputOf<typeof deleteVariable>) => deleteVariable(deps, input),
    setSecret: (input: InputOf<typeof setSecret>) => setSecret(deps, input),
    deleteSecret: (input: InputOf<typeof deleteSecret>) => deleteSecret(deps, input),
  };
}

export type ProjectValueUseCases = ReturnType<typeof makeProjectValueUseCases>;
