import type { Actor } from '../domain/actor.js';
import * as ApiKey from '../domain/api-key.js';
import { ok, rejected, type Result } from '../domain/result.js';
import type { ProjectNotFound } from '../domain/session.js';
import { auditEntry } from './audit-entry.js';
import type { Clock, RequestMeta, UnitOfWork } from './ports.js';
import { projectInScope, type Forbidden } from './project-scope.js';

/** A project owner revokes an API key; every service refuses it once ApiKeyRevoked reaches it. Revoking twice is harmless. */
export async function revokeApiKey(
  deps: { uow: UnitOfWork; clock: Clock },
  input: { actor: Actor; projectId: string; keyId: string; meta: RequestMeta },
): Promise<Result<ApiKey.ApiKey, ProjectNotFound | Forbidden | ApiKey.ApiKeyRejection>> {
  return deps.uow(input.meta, async (tx) => {
    const now = deps.clock();
    const project = await projectInScope(tx, input.actor, input.projectId, 'owner', { adminMay: false });
    if (!project.ok) return project;
    const existing = await tx.apiKeys.find(input.projectId, input.keyId);
    if (!existing) return rejected({ type: 'ApiKeyNotFound', keyId: input.keyId });
    const { apiKey, events } = ApiKey.revoke(existing, now);
    if (events.length === 0) return ok(apiKey);
    await tx.apiKeys.update(apiKey);
    await tx.outbox.append(events);
    await tx.audit.record(auditEntry(input.meta, input.actor, now, {
      type: 'api_key_revoked', projectId: input.projectId, targetType: 'api_key', targetId: apiKey.id, details: { prefix: apiKey.prefix },
    }));
    return ok(apiKey);
  });
}
