import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { isRole, type Caller, type Role } from './access.js';

/**
 * Project API keys look like `trk_<prefix>_<secret>`: the prefix (8 characters) is shown in
 * lists so people can tell keys apart; the whole key is shown once, at creation. Only its
 * SHA-256 is stored anywhere (the secret has 256 bits of entropy: a fast hash is enough).
 */
const KEY_PATTERN = /^trk_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

export function generateApiKey(): { key: string; prefix: string; sha256: string } {
  const prefix = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 8);
  const key = `trk_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, sha256: hashApiKey(key) };
}

export function looksLikeApiKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** What a service needs to know of a key to accept it. */
export type ApiKeyRecord = {
  keyId: string;
  projectId: string;
  role: Role;
  expiresAt: Date | null;
  revokedAt: Date | null;
};

export type ApiKeyLookup = (sha256: string) => Promise<ApiKeyRecord | undefined>;

/**
 * Recognises API keys through `lookup`, remembering accepted keys for `cacheMs` so that the
 * database is not asked on every request. A revoked key is therefore refused at most `cacheMs`
 * after the revocation reaches this service. Unknown keys are not remembered: a key created a
 * moment ago works as soon as its announcement arrives.
 */
export function makeApiKeyVerifier(options: { lookup: ApiKeyLookup; cacheMs: number; now?: () => number; maxEntries?: number }) {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { record: ApiKeyRecord; until: number }>();

  return async (key: string): Promise<Caller | undefined> => {
    if (!looksLikeApiKey(key)) return undefined;
    const sha256 = hashApiKey(key);
    const cached = cache.get(sha256);
    let record = cached && cached.until > now() ? cached.record : undefined;
    if (!record) {
      cache.delete(sha256);
      record = await options.lookup(sha256);
      if (!record) return undefined;
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(sha256, { record, until: now() + options.cacheMs });
    }
    if (record.revokedAt || (record.expiresAt && record.expiresAt.getTime() <= now())) return undefined;
    return {
      via: 'api_key', credentialId: record.keyId, userId: null, username: null, isAdmin: false,
      projectId: record.projectId, role: record.role, sessionId: null,
    };
  };
}

/** The table every service except authorization keeps, filled from ApiKeyIssued / ApiKeyRevoked. */
export type ApiKeysTable = {
  key_id: string;
  project_id: string;
  role: string;
  secret_sha256: string;
  expires_at: Date | null;
  revoked_at: Date | null;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped schema
export async function createApiKeysTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('key_id', 'uuid', (c) => c.primaryKey())
    .addColumn('project_id', 'uuid', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('secret_sha256', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await sql`create index api_keys_project on api_keys (project_id)`.execute(db);
}

/** The replicated key table of a service, read and written in the caller's transaction or pool. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- works on any schema that has the api_keys table
export function makeReplicatedApiKeys(db: Kysely<any>) {
  return {
    /** Idempotent: a redelivered announcement changes nothing, and never un-revokes a key. */
    record: async (key: Omit<ApiKeyRecord, 'revokedAt'> & { sha256: string }): Promise<void> => {
      await sql`
        insert into api_keys (key_id, project_id, role, secret_sha256, expires_at)
        values (${key.keyId}, ${key.projectId}, ${key.role}, ${key.sha256}, ${key.expiresAt})
        on conflict (key_id) do nothing`.execute(db);
    },
    /** Recorded even if the announcement has not arrived yet, so a late ApiKeyIssued cannot revive the key. */
    revoke: async (keyId: string, projectId: string, at: Date): Promise<void> => {
      await sql`
        insert into api_keys (key_id, project_id, role, secret_sha256, revoked_at)
        values (${keyId}, ${projectId}, 'viewer', ${`revoked:${keyId}`}, ${at})
        on conflict (key_id) do update set revoked_at = coalesce(api_keys.revoked_at, excluded.revoked_at)`.execute(db);
    },
    deleteProject: async (projectId: string): Promise<void> => {
      await sql`delete from api_keys where project_id = ${projectId}`.execute(db);
    },
    lookup: (async (sha256) => {
      const { rows } = await sql<ApiKeysTable>`select * from api_keys where secret_sha256 = ${sha256}`.execute(db);
      const row = rows[0];
      if (!row || !isRole(row.role)) return undefined;
      return { keyId: row.key_id, projectId: row.project_id, role: row.role, expiresAt: row.expires_at, revokedAt: row.revoked_at };
    }) satisfies ApiKeyLookup,
  };
}
