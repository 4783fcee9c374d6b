import type { ProjectObjects } from '@trellis/kernel/ports';

/**
 * The runner's own part of deleting a project (tenancy deletes the project's row and keys
 * after it): every object it keeps for the project, the inputs, outputs and logs of its runs.
 * Rows of runs reference the project with `on delete cascade`. Idempotent.
 */
export async function deleteProjectData(deps: { objects: ProjectObjects }, projectId: string): Promise<{ objects_deleted: number }> {
  return { objects_deleted: (await deps.objects.deleteAll(projectId)).deleted };
}
