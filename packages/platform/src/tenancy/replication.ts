import type { ApiKeyRevocation, IssuedApiKey, KnownProjects, ProjectAnnouncement, ProjectDeletion, Tenancy } from './model.js';

export type ProjectRecording = { outcome: 'recorded' } | { outcome: 'ignored'; reason: 'already_recorded' | 'project_deleted' };
export type ApiKeyRecording = { outcome: 'recorded' } | { outcome: 'ignored'; reason: 'project_deleted' };
export type ApiKeyRevoking = { outcome: 'revoked' } | { outcome: 'ignored'; reason: 'project_deleted' };

/**
 * Records a project announced by authorization. Recording it again changes nothing, and an
 * announcement that arrives after the project's deletion (a retried message) is ignored.
 */
export async function recordProject(deps: { projects: KnownProjects }, announcement: ProjectAnnouncement): Promise<ProjectRecording> {
  if (await deps.projects.wasDeleted(announcement.projectId)) return { outcome: 'ignored', reason: 'project_deleted' };
  const inserted = await deps.projects.insertIfAbsent({ id: announcement.projectId, name: announcement.name, createdAt: announcement.occurredAt });
  return inserted ? { outcome: 'recorded' } : { outcome: 'ignored', reason: 'already_recorded' };
}

/**
 * Replicates a key that authorization issued, so the service recognises it without asking.
 * A key of a project already deleted here (its announcement was retried past the deletion)
 * is not recorded: it would otherwise outlive its project.
 */
export async function recordApiKey(deps: Tenancy, key: IssuedApiKey): Promise<ApiKeyRecording> {
  if (await deps.projects.wasDeleted(key.projectId)) return { outcome: 'ignored', reason: 'project_deleted' };
  await deps.apiKeys.record(key);
  return { outcome: 'recorded' };
}

/**
 * Refuses a key from now on (once the authenticator's short cache has expired). The revocation
 * is kept even if the key's announcement has not arrived yet, so a late one cannot revive it;
 * for a project already deleted here there is nothing left to revoke.
 */
export async function revokeApiKey(deps: Tenancy, revocation: ApiKeyRevocation): Promise<ApiKeyRevoking> {
  if (await deps.projects.wasDeleted(revocation.projectId)) return { outcome: 'ignored', reason: 'project_deleted' };
  await deps.apiKeys.revoke(revocation);
  return { outcome: 'revoked' };
}

/**
 * Deletes a project that authorization deleted: first the service's own data
 * (`deleteProjectData`, the one part each service writes itself), then its replicated API keys,
 * then the project (a tombstone of its id stays, so that a late announcement cannot bring it
 * back). Running it again changes nothing.
 *
 * The service's data goes first on purpose: its objects live in a store with no transaction,
 * while these rows commit with the consumer's transaction only after everything returned. A
 * failing store throws before any row is touched and the message is retried; a failure after
 * the objects are gone is retried too and finds nothing left to remove. So while any object is
 * left, the project's row is still there, saying the deletion is unfinished.
 */
export async function forgetProject<Outcome>(
  deps: Tenancy & { deleteProjectData: (projectId: string) => Promise<Outcome> },
  deletion: ProjectDeletion,
): Promise<{ projectWasKnown: boolean; data: Outcome }> {
  const data = await deps.deleteProjectData(deletion.projectId);
  await deps.apiKeys.deleteProject(deletion.projectId);
  const { wasKnown } = await deps.projects.forget(deletion.projectId, deletion.occurredAt);
  return { projectWasKnown: wasKnown, data };
}
