import { sql, type Kysely, type Transaction } from 'kysely';
import type { UnitOfWork } from '@trellis/kernel/ports';
import { isRejection } from '@trellis/kernel/result';

/** Carries a rejection out of the transaction callback, so kysely rolls back. */
class RolledBackRejection extends Error {
  constructor(readonly outcome: unknown) {
    super('rejected: rolled back');
  }
}

/**
 * The unit of work of a service: one database transaction per call, over the repositories that
 * `bind` makes on it. Commits when `work` returns; rolls back when it throws, and when it returns
 * a rejection unless the use case asked for `keepOnRejection` (see the kernel's UnitOfWork).
 */
export function makeUnitOfWork<Schema, Tx>(db: Kysely<Schema>, bind: (trx: Transaction<Schema>) => Tx): UnitOfWork<Tx> {
  return async (work, options = {}) => {
    try {
      return await db.transaction().execute(async (trx) => {
        const outcome = await work(bind(trx));
        if (isRejection(outcome) && options.keepOnRejection !== true) throw new RolledBackRejection(outcome);
        return outcome;
      });
    } catch (error) {
      if (error instanceof RolledBackRejection) return error.outcome as Awaited<ReturnType<typeof work>>;
      throw error;
    }
  };
}

/**
 * The same unit of work inside a transaction someone else owns (a message handler's, which
 * commits with its inbox row): a savepoint stands for the transaction, so a rejection still
 * leaves nothing behind while the message is acknowledged.
 */
export function makeUnitOfWorkIn<Schema, Tx>(trx: Transaction<Schema>, bind: (trx: Transaction<Schema>) => Tx): UnitOfWork<Tx> {
  return async (work, options = {}) => {
    await sql`savepoint unit_of_work`.execute(trx);
    let outcome: Awaited<ReturnType<typeof work>>;
    try {
      outcome = await work(bind(trx));
    } catch (error) {
      await sql`rollback to savepoint unit_of_work`.execute(trx);
      throw error;
    }
    if (isRejection(outcome) && options.keepOnRejection !== true) await sql`rollback to savepoint unit_of_work`.execute(trx);
    else await sql`release savepoint unit_of_work`.execute(trx);
    return outcome;
  };
}
