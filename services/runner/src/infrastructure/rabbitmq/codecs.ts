import type { Change, JsonValue } from '../../domain/project-value.js';
import * as studio from '../pb/studio/v1/events.js';

/*
 * Studio's project value events -> the runner's changes. A decoder throws when a required field
 * is missing or malformed, so the consumer dead-letters the message at once instead of acting
 * on it. Error messages name fields, never a value (a secret's sealed bytes stay out of logs).
 */

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Postgres' bigint: the largest revision the runner can keep. */
const MAX_REVISION = 2n ** 63n - 1n;

function holdsNul(value: JsonValue): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([key, item]) => key.includes('\0') || holdsNul(item));
  return false;
}

type Common = Pick<Change, 'projectId' | 'name' | 'revision' | 'changedAt'>;

function common(event: string, message: { meta: studio.EventMeta | undefined; name: string; revision: string }): Common {
  const projectId = message.meta?.projectId ?? '';
  if (!uuid.test(projectId)) throw new Error(`${event}.meta.project_id is not a UUID`);
  const changedAt = message.meta?.occurredAt;
  if (!changedAt || Number.isNaN(changedAt.getTime())) throw new Error(`${event}.meta.occurred_at is missing`);
  if (!message.name) throw new Error(`${event}.name is missing`);
  if (!/^\d+$/.test(message.revision) || BigInt(message.revision) > MAX_REVISION) throw new Error(`${event}.revision is not a revision the runner can keep`);
  return { projectId: projectId.toLowerCase(), name: message.name, revision: BigInt(message.revision), changedAt };
}

export function decodeVariableSet(content: Uint8Array): Change {
  const message = studio.ProjectVariableSet.decode(content);
  const base = common('ProjectVariableSet', message);
  let value: JsonValue;
  try {
    value = JSON.parse(message.valueJson) as JsonValue;
  } catch {
    throw new Error('ProjectVariableSet.value_json is not JSON');
  }
  if (holdsNul(value)) throw new Error('ProjectVariableSet.value_json holds a NUL character, which jsonb cannot keep');
  return { kind: 'variable', type: 'set', ...base, value };
}

export function decodeVariableDeleted(content: Uint8Array): Change {
  return { kind: 'variable', type: 'delete', ...common('ProjectVariableDeleted', studio.ProjectVariableDeleted.decode(content)) };
}

export function decodeSecretSet(content: Uint8Array): Change {
  const message = studio.ProjectSecretSet.decode(content);
  const base = common('ProjectSecretSet', message);
  if (message.sealedValue.length === 0) throw new Error('ProjectSecretSet.sealed_value is missing');
  if (!/^[0-9a-f]{64}$/.test(message.keyId)) throw new Error('ProjectSecretSet.key_id is not a lowercase hex SHA-256');
  return { kind: 'secret', type: 'set', ...base, sealed: new Uint8Array(message.sealedValue), keyId: message.keyId };
}

export function decodeSecretDeleted(content: Uint8Array): Change {
  return { kind: 'secret', type: 'delete', ...common('ProjectSecretDeleted', studio.ProjectSecretDeleted.decode(content)) };
}
