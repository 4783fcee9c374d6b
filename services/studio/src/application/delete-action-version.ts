import { ok, rejected, type Result } from '@trellis/kernel/result';
import type { UnitOfWork } from './ports.js';

export type ActionVersionNotFound = { readonly type: 'ActionVersionNotFound'; readonly actionId: string; readonly version: string };

/**
 * Removes a version from the project's library. (Once workflows exist, a version a workflow
 * uses is refused here, naming the workflows.)
 */
export async function deleteActionVersion(
  deps: { uow: UnitOfWork },
  input: { projectId: string; actionId: string; version: string },
): Promise<Result<void, ActionVersionNotFound>> {
  return deps.uow(async (tx) => {
    const deleted = await tx.library.delete(input.projectId, input.actionId, input.version);
    return deleted ? ok(undefined) : rejected({ type: 'ActionVersionNotFound', actionId: input.actionId, version: input.version } as const);
  });
}
