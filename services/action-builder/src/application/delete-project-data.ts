import type { ProjectObjects } from '@trellis/kernel/ports';

/**
 * The builder's own part of deleting a project (tenancy deletes the project's row and keys
 * after it): the build logs it keeps in the store. Artifacts are content-addressed and shared,
 * so they are not per project. Idempotent.
 */
export async function deleteProjectData(deps: { objects: ProjectObjects }, projectId: string): Promise<{ objects_deleted: number }> {
  const removed = await deps.objects.deleteAll(projectId);
  return { objects_deleted: removed.deleted };
}
