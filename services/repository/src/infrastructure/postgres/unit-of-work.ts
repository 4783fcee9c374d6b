import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction as KyselyTransaction } from 'kysely';
import { enqueueMessages } from '@trellis/platform/postgres/outbox';
import { makeUnitOfWork as makePlatformUnitOfWork, makeUnitOfWorkIn } from '@trellis/platform/postgres/unit-of-work';
import type { Transaction, UnitOfWork } from '../../application/ports.js';
import { toOutgoingMessage } from '../rabbitmq/codecs.js';
import { makeBuildRepository } from './build-repository.js';
import { makeScanRepository } from './scan-repository.js';
import type { Database } from './schema.js';
import { makeSourceRepository } from './source-repository.js';

function repositories(trx: KyselyTransaction<Database>): Transaction {
  return {
    projects: {
      isKnown: async (projectId) => {
        const { rows } = await sql<{ known: boolean }>`select exists (select 1 from projects where id = ${projectId}) as known`.execute(trx);
        return rows[0]?.known === true;
      },
      lockIfKnown: async (projectId) => {
        const { rows } = await sql<{ id: string }>`select id from projects where id = ${projectId} for update`.execute(trx);
        return rows.length > 0;
      },
      ids: async () => (await trx.selectFrom('projects').select('id').orderBy('created_at').execute()).map((row) => row.id),
    },
    sources: makeSourceRepository(trx),
    scans: makeScanRepository(trx),
    builds: makeBuildRepository(trx),
    outbox: {
      append: (events, traceId) => enqueueMessages(trx, events.map((event) => toOutgoingMessage(event, { messageId: randomUUID(), traceId }))),
    },
  };
}

/** One transaction per use case over the repository's tables (the platform's commit and rollback rules). */
export function makeUnitOfWork(db: Kysely<Database>): UnitOfWork {
  return makePlatformUnitOfWork(db, repositories);
}

/** The same, inside a message handler's transaction (it commits with the inbox row). */
export function unitOfWorkIn(trx: KyselyTransaction<Database>): UnitOfWork {
  return makeUnitOfWorkIn(trx, repositories);
}
