import type { ProjectDeletion } from '../domain/project.js';
import type { KnownProjects, ProjectObjects, ReplicatedApiKeys } from './ports.js';

/**
 * Deletes everything the action builder keeps for a project that authorization has deleted: every
 * object of the project in the store, its replicated API keys, then the project itself (a
 * tombstone of its id stays, so that a late announcement cannot bring it back). Running it
 * again changes nothing. Data that the action builder adds for a project later must be deleted here too.
 *
 * Objects first, rows last, on purpose. The rows are written through the consumer's
 * transaction, which commits only after this returns; the store has no transaction. So:
 * - the store fails: this throws before any row is touched; the message is retried with
 *   backoff and the next attempt removes what is left (removing is idempotent);
 * - the rows or the commit fail after the objects are gone: the retry finds no objects and
 *   deletes the rows.
 * A committed deletion therefore always means the objects are gone, and while any object is
 * left the project's row is still there, saying the deletion is unfinished (after the last
 * retry the message waits in the dead-letter queue, to be replayed once the store is back).
 * No row is written while the slow store calls run. The reverse order would work
 * only as long as both stay in one transaction; this one does not depend on it.
 */
export async function deleteProjectData(
  deps: { objects: ProjectObjects; projects: KnownProjects; apiKeys: ReplicatedApiKeys },
  deletion: ProjectDeletion,
): Promise<{ objectsDeleted: number; projectWasKnown: boolean }> {
  const { deleted } = await deps.objects.deleteAll(deletion.projectId);
  await deps.apiKeys.deleteProject(deletion.projectId);
  const { wasKnown } = await deps.projects.forget(deletion.projectId, deletion.occurredAt);
  return { objectsDeleted: deleted, projectWasKnown: wasKnown };
}
