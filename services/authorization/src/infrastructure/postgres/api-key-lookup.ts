import type { Kysely } from 'kysely';
import type { ApiKeyLookup } from '@trellis/platform/auth/api-keys';
import { isRole } from '../../domain/role.js';
import type { Database } from './schema.js';

/** Authorization recognises API keys from its own table (the other services keep a replica of it). */
export function makeApiKeyLookup(db: Kysely<Database>): ApiKeyLookup {
  return async (sha256) => {
    const row = await db.selectFrom('api_keys').select(['id', 'project_id', 'role', 'expires_at', 'revoked_at'])
      .where('secret_sha256', '=', sha256).executeTakeFirst();
    if (!row || !isRole(row.role)) return undefined;
    return { keyId: row.id, projectId: row.project_id, role: row.role, expiresAt: row.expires_at, revokedAt: row.revoked_at };
  };
}
