import { sql, type Transaction } from 'kysely';
import type { SigningKeyRepository } from '../../application/ports.js';
import type { Database } from './schema.js';

// Any fixed number: rotations of one instance share one database, so one lock id is enough.
const ROTATION_LOCK = 7_304_118_213;

export function makeSigningKeyRepository(trx: Transaction<Database>): SigningKeyRepository {
  return {
    lock: async () => {
      await sql`select pg_advisory_xact_lock(${ROTATION_LOCK})`.execute(trx);
    },
    list: async () => {
      const rows = await trx.selectFrom('signing_keys').select(['kid', 'created_at', 'retired_at']).execute();
      return rows.map((row) => ({ kid: row.kid, createdAt: row.created_at, retiredAt: row.retired_at }));
    },
    insert: async (key) => {
      await trx.insertInto('signing_keys').values({
        kid: key.kid, algorithm: key.algorithm, public_jwk: JSON.stringify(key.publicJwk), private_key_sealed: key.sealedPrivateKey,
        created_at: key.createdAt, retired_at: key.retiredAt,
      }).execute();
    },
    retire: async (kids, at) => {
      await trx.updateTable('signing_keys').set({ retired_at: at }).where('kid', 'in', [...kids]).where('retired_at', 'is', null).execute();
    },
    delete: async (kids) => {
      await trx.deleteFrom('signing_keys').where('kid', 'in', [...kids]).execute();
    },
  };
}
