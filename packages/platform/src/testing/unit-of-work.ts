import type { UnitOfWork } from '@trellis/kernel/ports';
import { isRejection } from '@trellis/kernel/result';

/**
 * The same rules for in-memory state in application tests: `work` changes a draft copy that
 * replaces the state only when the unit commits.
 */
export function makeInMemoryUnitOfWork<State, Tx>(state: { get: () => State; set: (next: State) => void }, bind: (draft: State) => Tx): UnitOfWork<Tx> {
  return async (work, options = {}) => {
    const draft = structuredClone(state.get());
    const outcome = await work(bind(draft));
    if (!isRejection(outcome) || options.keepOnRejection === true) state.set(draft);
    return outcome;
  };
}
