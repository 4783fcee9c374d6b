import type { Selectable, Transaction } from 'kysely';
import type { LoginThrottleRepository } from '../../application/ports.js';
import type { ThrottleCounter, ThrottleKind } from '../../domain/login-throttle.js';
import type { Database, LoginThrottleTable } from './schema.js';

const fromRow = (row: Selectable<LoginThrottleTable>): ThrottleCounter => ({
  key: { kind: row.kind as ThrottleKind, value: row.value }, failures: row.failures, lockedUntil: row.locked_until, updatedAt: row.updated_at,
});

/**
 * Counters live in Postgres so every replica sees the same failures. Locking inserts an empty
 * row first when there is none, so even a first attempt has a row to queue on.
 */
export function makeLoginThrottleRepository(trx: Transaction<Database>): LoginThrottleRepository {
  return {
    lock: async (keys) => {
      const counters: ThrottleCounter[] = [];
      // One fixed order (kind, then value) so two attempts never wait on each other's rows crosswise.
      const ordered = [...keys].sort((a, b) => (a.kind + '\u0000' + a.value < b.kind + '\u0000' + b.value ? -1 : 1));
      for (const key of ordered) {
        await trx.insertInto('login_throttle')
          .values({ kind: key.kind, value: key.value, failures: 0, locked_until: null, updated_at: new Date(0) })
          .onConflict((c) => c.columns(['kind', 'value']).doNothing()).execute();
        const row = await trx.selectFrom('login_throttle').selectAll()
          .where('kind', '=', key.kind).where('value', '=', key.value).forUpdate().executeTakeFirstOrThrow();
        if (row.failures > 0 || row.locked_until) counters.push(fromRow(row));
      }
      return counters;
    },
    save: async (counter) => {
      await trx.insertInto('login_throttle')
        .values({ kind: counter.key.kind, value: counter.key.value, failures: counter.failures, locked_until: counter.lockedUntil, updated_at: counter.updatedAt })
        .onConflict((c) => c.columns(['kind', 'value']).doUpdateSet({ failures: counter.failures, locked_until: counter.lockedUntil, updated_at: counter.updatedAt }))
        .execute();
    },
    reset: async (key) => {
      await trx.deleteFrom('login_throttle').where('kind', '=', key.kind).where('value', '=', key.value).execute();
    },
  };
}
