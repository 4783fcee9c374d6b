import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { enqueueMessages } from '@trellis/platform/postgres/outbox';
import { makeUnitOfWork as makePlatformUnitOfWork } from '@trellis/platform/postgres/unit-of-work';
import type { Transaction as AuthorizationTransaction, UnitOfWork } from '../../application/ports.js';
import { toOutgoingMessage } from '../rabbitmq/codecs.js';
import { makeApiKeyRepository } from './api-key-repository.js';
import { makeAuditLog } from './audit-log.js';
import { makeLoginThrottleRepository } from './login-throttle-repository.js';
import { makeMembershipRepository } from './membership-repository.js';
import { makeProjectRepository } from './project-repository.js';
import type { Database } from './schema.js';
import { makeRefreshTokenRepository, makeSessionRepository } from './session-repository.js';
import { makeSigningKeyRepository } from './signing-key-repository.js';
import { makeUserRepository } from './user-repository.js';

/** One database transaction per unit of work (the platform's rules); events go to the outbox inside it. */
export function makeUnitOfWork(db: Kysely<Database>): UnitOfWork {
  return (context, work, options) => makePlatformUnitOfWork(db, (trx) => repositories(trx, context))(work, options);
}

function repositories(trx: Transaction<Database>, context: { traceId: string }): AuthorizationTransaction {
  return {
    projects: makeProjectRepository(trx),
    users: makeUserRepository(trx),
    memberships: makeMembershipRepository(trx),
    apiKeys: makeApiKeyRepository(trx),
    sessions: makeSessionRepository(trx),
    refreshTokens: makeRefreshTokenRepository(trx),
    signingKeys: makeSigningKeyRepository(trx),
    loginThrottle: makeLoginThrottleRepository(trx),
    audit: makeAuditLog(trx),
    outbox: {
      append: (events) =>
        enqueueMessages(trx, events.map((event) => toOutgoingMessage(event, { messageId: randomUUID(), traceId: context.traceId }))),
    },
  };
}
