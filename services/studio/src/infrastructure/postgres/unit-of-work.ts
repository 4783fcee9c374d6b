import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction as KyselyTransaction } from 'kysely';
import { enqueueMessages } from '@trellis/platform/postgres/outbox';
import { makeUnitOfWork as makePlatformUnitOfWork, makeUnitOfWorkIn } from '@trellis/platform/postgres/unit-of-work';
import type { Transaction, UnitOfWork } from '../../application/ports.js';
import { toOutgoingMessage } from '../rabbitmq/codecs.js';
import { makeFileRepository } from './file-repository.js';
import { makeLibraryRepository } from './library-repository.js';
import { makeRevisions, makeSecretRepository, makeVariableRepository } from './project-value-repositories.js';
import type { Database } from './schema.js';
import { makeWorkflowRepository, makeWorkflowVersionRepository } from './workflow-repository.js';

function repositories(trx: KyselyTransaction<Database>): Transaction {
  return {
    projects: {
      statusOf: async (projectId) => {
        const { rows } = await sql<{ known: boolean; deleted: boolean }>`
          select exists (select 1 from projects where id = ${projectId}) as known,
                 exists (select 1 from deleted_projects where id = ${projectId}) as deleted`.execute(trx);
        const row = rows[0];
        return row?.deleted ? 'deleted' : row?.known ? 'known' : 'unknown';
      },
    },
    library: makeLibraryRepository(trx),
    variables: makeVariableRepository(trx),
    secrets: makeSecretRepository(trx),
    revisions: makeRevisions(trx),
    outbox: {
      append: (events, traceId) => enqueueMessages(trx, events.map((event) => toOutgoingMessage(event, { messageId: randomUUID(), traceId }))),
    },
    workflows: makeWorkflowRepository(trx),
    workflowVersions: makeWorkflowVersionRepository(trx),
    files: makeFileRepository(trx),
  };
}

/** One transaction per use case over studio's repositories (the platform's commit and rollback rules). */
export function makeUnitOfWork(db: Kysely<Database>): UnitOfWork {
  return makePlatformUnitOfWork(db, repositories);
}

/** The same, inside a message handler's transaction (it commits with the inbox row). */
export function unitOfWorkIn(trx: KyselyTransaction<Database>): UnitOfWork {
  return makeUnitOfWorkIn(trx, repositories);
}
