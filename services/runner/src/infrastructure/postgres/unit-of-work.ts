import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction as KyselyTransaction } from 'kysely';
import { enqueueMessages } from '@trellis/platform/postgres/outbox';
import { makeUnitOfWork as makePlatformUnitOfWork, makeUnitOfWorkIn } from '@trellis/platform/postgres/unit-of-work';
import { lockProject } from '@trellis/platform/tenancy/postgres';
import type { Transaction, UnitOfWork } from '../../application/ports.js';
import { toOutgoingMessage } from '../rabbitmq/deployment-codecs.js';
import { makeDeploymentRepository } from './deployment-repository.js';
import { makeProjectValueRepository } from './project-value-repository.js';
import { makeScheduleRepository } from './schedule-repository.js';
import type { Database } from './schema.js';

function repositories(trx: KyselyTransaction<Database>): Transaction {
  return {
    projects: {
      statusForUpdate: async (projectId) => {
        // The lock tenancy's handlers take too: a ProjectDeleted cannot commit between this check and the writes.
        await lockProject(trx, projectId);
        const { rows } = await sql<{ known: boolean; deleted: boolean }>`
          select exists (select 1 from projects where id = ${projectId}) as known,
                 exists (select 1 from deleted_projects where id = ${projectId}) as deleted`.execute(trx);
        const row = rows[0];
        return row?.deleted ? 'deleted' : row?.known ? 'known' : 'unknown';
      },
    },
    values: makeProjectValueRepository(trx),
    deployments: makeDeploymentRepository(trx),
    schedules: makeScheduleRepository(trx),
    outbox: {
      append: (events, traceId) => enqueueMessages(trx, events.map((event) => toOutgoingMessage(event, { messageId: randomUUID(), traceId }))),
    },
  };
}

/** One transaction per use case over the runner's repositories (the platform's commit and rollback rules). */
export function makeUnitOfWork(db: Kysely<Database>): UnitOfWork {
  return makePlatformUnitOfWork(db, repositories);
}

/** The same, inside a message handler's transaction (it commits with the inbox row). */
export function unitOfWorkIn(trx: KyselyTransaction<Database>): UnitOfWork {
  return makeUnitOfWorkIn(trx, repositories);
}
