import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as ProjectValue from '../domain/project-value.js';
import type { UnitOfWork } from './ports.js';

export type ChangeIgnored = { readonly type: 'ProjectDeleted'; readonly projectId: string };

/**
 * Applies a change of a project variable or secret that studio announced, if it is newer than
 * what the runner holds for the name (the highest revision wins). A project the runner has not
 * heard of yet is a failure of the world (its announcement is late): it throws, and the message
 * is retried until the project is known. A deleted project's changes are refused.
 */
export async function applyProjectValueChange(
  deps: { uow: UnitOfWork },
  change: ProjectValue.Change,
): Promise<Result<{ arrival: ProjectValue.Arrival }, ChangeIgnored>> {
  return deps.uow(async (tx) => {
    const status = await tx.projects.statusForUpdate(change.projectId);
    if (status === 'deleted') return rejected({ type: 'ProjectDeleted', projectId: change.projectId } as const);
    if (status === 'unknown') throw new Error(`project ${change.projectId} is not known to the runner yet`);
    const arrival = ProjectValue.arrival(await tx.values.held(change.projectId, change.kind, change.name), change);
    if (arrival === 'apply') await tx.values.apply(change);
    return ok({ arrival });
  });
}
