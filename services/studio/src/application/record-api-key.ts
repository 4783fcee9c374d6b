import type { IssuedApiKey } from '../domain/api-key.js';
import type { KnownProjects, ReplicatedApiKeys } from './ports.js';

export type ApiKeyRecording = { outcome: 'recorded' } | { outcome: 'ignored'; reason: 'project_deleted' };

/**
 * Replicates a key that authorization issued, so this service recognises it without asking.
 * A key of a project already deleted here (its announcement was retried past the deletion)
 * is not recorded: it would otherwise outlive its project.
 */
export async function recordApiKey(deps: { projects: KnownProjects; apiKeys: ReplicatedApiKeys }, key: IssuedApiKey): Promise<ApiKeyRecording> {
  if (await deps.projects.wasDeleted(key.projectId)) return { outcome: 'ignored', reason: 'project_deleted' };
  await deps.apiKeys.record(key);
  return { outcome: 'recorded' };
}
