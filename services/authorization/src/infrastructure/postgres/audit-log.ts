import type { Transaction } from 'kysely';
import type { AuditLog } from '../../application/ports.js';
import type { Database } from './schema.js';

export function makeAuditLog(trx: Transaction<Database>): AuditLog {
  return {
    record: async (entry) => {
      await trx.insertInto('audit_events').values({
        type: entry.type, outcome: entry.outcome, actor_user_id: entry.actorUserId, actor_api_key_id: entry.actorApiKeyId,
        project_id: entry.projectId, target_type: entry.targetType, target_id: entry.targetId, client_ip: entry.clientIp,
        trace_id: entry.traceId, details: JSON.stringify(entry.details), occurred_at: entry.occurredAt,
      }).execute();
    },
  };
}
