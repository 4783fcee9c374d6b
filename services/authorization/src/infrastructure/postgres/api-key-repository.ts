import type { Selectable, Transaction } from 'kysely';
import type { ApiKey } from '../../domain/api-key.js';
import type { ApiKeyRepository } from '../../application/ports.js';
import { roleOf } from './membership-repository.js';
import type { ApiKeysTable, Database } from './schema.js';

const toRow = (key: ApiKey): ApiKeysTable => ({
  id: key.id, project_id: key.projectId, name: key.name, role: key.role, prefix: key.prefix, secret_sha256: key.secretSha256,
  created_at: key.createdAt, created_by: key.createdBy, expires_at: key.expiresAt, revoked_at: key.revokedAt,
});

export const fromRow = (row: Selectable<ApiKeysTable>): ApiKey => ({
  id: row.id, projectId: row.project_id, name: row.name, role: roleOf(row.role), prefix: row.prefix, secretSha256: row.secret_sha256,
  createdAt: row.created_at, createdBy: row.created_by, expiresAt: row.expires_at, revokedAt: row.revoked_at,
});

export function makeApiKeyRepository(trx: Transaction<Database>): ApiKeyRepository {
  return {
    insert: async (key) => {
      await trx.insertInto('api_keys').values(toRow(key)).execute();
    },
    find: async (projectId, keyId) => {
      const row = await trx.selectFrom('api_keys').selectAll().where('project_id', '=', projectId).where('id', '=', keyId).executeTakeFirst();
      return row && fromRow(row);
    },
    update: async (key) => {
      await trx.updateTable('api_keys').set({ name: key.name, revoked_at: key.revokedAt }).where('id', '=', key.id).execute();
    },
  };
}
