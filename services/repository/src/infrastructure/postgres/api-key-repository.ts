import type { Transaction } from 'kysely';
import { makeReplicatedApiKeys } from '@trellis/platform/auth/api-keys';
import type { ReplicatedApiKeys } from '../../application/ports.js';
import type { Database } from './schema.js';

/** The replicated `api_keys` table, written in the consumer's transaction (the platform owns its rules). */
export function makeApiKeyRepository(trx: Transaction<Database>): ReplicatedApiKeys {
  const keys = makeReplicatedApiKeys(trx);
  return {
    record: (key) =>
      keys.record({ keyId: key.keyId, projectId: key.projectId, role: key.role, expiresAt: key.expiresAt, sha256: key.secretSha256 }),
    revoke: (revocation) => keys.revoke(revocation.keyId, revocation.projectId, revocation.revokedAt),
    deleteProject: (projectId) => keys.deleteProject(projectId),
  };
}
