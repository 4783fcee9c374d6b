import type { ProjectObjects, QueueSignal } from './ports.js';

/**
 * The builder's own part of deleting a project (tenancy deletes the project's row and keys
 * after it, and the project's builds and log lines go with that row): the project's objects,
 * its artifacts and build logs, all under its prefix. The builders are woken when the deletion
 * commits: a build of the project still running finds itself gone and is stopped. Idempotent.
 */
export async function deleteProjectData(deps: { objects: ProjectObjects; queue: QueueSignal }, projectId: string): Promise<{ objects_deleted: number }> {
  const removed = await deps.objects.deleteAll(projectId);
  await deps.queue.wake();
  return { objects_deleted: removed.deleted };
}
