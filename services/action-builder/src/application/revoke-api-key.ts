import type { ApiKeyRevocation } from '../domain/api-key.js';
import type { KnownProjects, ReplicatedApiKeys } from './ports.js';

export type ApiKeyRevoking = { outcome: 'revoked' } | { outcome: 'ignored'; reason: 'project_deleted' };

/**
 * Refuses a key from now on (once the authenticator's short cache has expired). The revocation
 * is kept even if the key's announcement has not arrived yet, so a late one cannot revive it;
 * for a project already deleted here there is nothing left to revoke.
 */
export async function revokeApiKey(deps: { projects: KnownProjects; apiKeys: ReplicatedApiKeys }, revocation: ApiKeyRevocation): Promise<ApiKeyRevoking> {
  if (await deps.projects.wasDeleted(revocation.projectId)) return { outcome: 'ignored', reason: 'project_deleted' };
  await deps.apiKeys.revoke(revocation);
  return { outcome: 'revoked' };
}
