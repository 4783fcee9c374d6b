import type { ProjectObjects } from '@trellis/kernel/ports';

/**
 * The repository's own part of deleting a project (tenancy deletes the project's row and
 * keys after it): every object it keeps for the project, the source tarballs of its scans.
 * Rows that belong to a project reference it with `on delete cascade`. Running it again
 * removes nothing more.
 */
export async function deleteProjectData(deps: { objects: ProjectObjects }, projectId: string): Promise<{ objects_deleted: number }> {
  const { deleted } = await deps.objects.deleteAll(projectId);
  return { objects_deleted: deleted };
}
