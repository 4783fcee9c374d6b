import type { ProjectDeletion } from '../domain/project.js';
import type { KnownProjects, ReplicatedApiKeys } from './ports.js';

/**
 * Deletes everything studio keeps for a project that authorization has deleted: its
 * replicated API keys, then the project itself (a tombstone of its id stays, so that a late
 * announcement cannot bring it back). Studio keeps no objects in the store. Running it again
 * changes nothing. Data that studio adds for a project later (library, workflows, variables)
 * must be deleted here too.
 */
export async function deleteProjectData(
  deps: { projects: KnownProjects; apiKeys: ReplicatedApiKeys },
  deletion: ProjectDeletion,
): Promise<{ projectWasKnown: boolean }> {
  await deps.apiKeys.deleteProject(deletion.projectId);
  const { wasKnown } = await deps.projects.forget(deletion.projectId, deletion.occurredAt);
  return { projectWasKnown: wasKnown };
}
