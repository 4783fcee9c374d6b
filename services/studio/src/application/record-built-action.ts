import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Library from '../domain/library-action.js';
import type { UnitOfWork } from './ports.js';

export type NotRecorded = { readonly type: 'ProjectDeleted'; readonly projectId: string };

/**
 * Puts a version the builder made into its project's library (or replaces an older build of
 * the same version). A project studio has not heard of yet is a failure of the world (its
 * announcement is late): it throws, and the message is retried until the project is known.
 */
export async function recordBuiltAction(
  deps: { uow: UnitOfWork },
  built: Library.LibraryAction,
): Promise<Result<{ arrival: Library.Arrival }, NotRecorded>> {
  return deps.uow(async (tx) => {
    const status = await tx.projects.statusOf(built.projectId);
    if (status === 'deleted') return rejected({ type: 'ProjectDeleted', projectId: built.projectId } as const);
    if (status === 'unknown') throw new Error(`project ${built.projectId} is not known to studio yet`);
    const arrival = Library.arrival(await tx.library.findForUpdate(built.projectId, built.actionId, built.version), built);
    if (arrival === 'insert' || arrival === 'replace') await tx.library.save(built);
    return ok({ arrival });
  });
}
