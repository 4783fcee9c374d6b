import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction as KyselyTransaction } from 'kysely';
import { enqueueMessages } from '@trellis/platform/postgres/outbox';
import { makeUnitOfWork as makePlatformUnitOfWork } from '@trellis/platform/postgres/unit-of-work';
import type { ProjectStatus, QueueSignal, Transaction, UnitOfWork } from '../../application/ports.js';
import { toOutgoingMessage } from '../rabbitmq/codecs.js';
import { makeBuildRepository } from './build-repository.js';
import type { Database } from './schema.js';

/** Builder processes LISTEN here: new work, a cancellation, a deleted project. */
export const BUILDS_CHANNEL = 'trellis_builds';

export function makeQueueSignal(trx: KyselyTransaction<Database>): QueueSignal {
  // Delivered when the transaction commits, and only then.
  return { wake: async () => void (await sql`select pg_notify(${BUILDS_CHANNEL}, '')`.execute(trx)) };
}

/** The application's transaction on a database transaction (the unit of work's, or a consumer's). */
export function makeTransaction(trx: KyselyTransaction<Database>): Transaction {
  return {
    builds: makeBuildRepository(trx),
    outbox: { append: (events) => enqueueMessages(trx, events.map((event) => toOutgoingMessage(event, randomUUID()))) },
    queue: makeQueueSignal(trx),
    projects: {
      status: async (projectId): Promise<ProjectStatus> => {
        const known = await trx.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst();
        if (known) return 'known';
        const deleted = await trx.selectFrom('deleted_projects').select('id').where('id', '=', projectId).executeTakeFirst();
        return deleted ? 'deleted' : 'unknown';
      },
    },
  };
}

export function makeUnitOfWork(db: Kysely<Database>): UnitOfWork {
  return makePlatformUnitOfWork(db, makeTransaction);
}
