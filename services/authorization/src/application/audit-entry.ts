import type { Actor } from '../domain/actor.js';
import type { AuditEntry } from '../domain/audit.js';
import type { RequestMeta } from './ports.js';

/** An audit entry with the actor and request filled in; `fields` says what happened. */
export function auditEntry(
  meta: RequestMeta,
  actor: Actor | null,
  now: Date,
  fields: Pick<AuditEntry, 'type'> & Partial<Pick<AuditEntry, 'outcome' | 'projectId' | 'targetType' | 'targetId' | 'details' | 'actorUserId'>>,
): AuditEntry {
  return {
    outcome: 'success',
    actorUserId: actor?.userId ?? null,
    actorApiKeyId: actor?.apiKeyId ?? null,
    projectId: null,
    targetType: null,
    targetId: null,
    details: {},
    clientIp: meta.clientIp,
    traceId: meta.traceId,
    occurredAt: now,
    ...fields,
  };
}
