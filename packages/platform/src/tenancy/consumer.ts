import type { Transaction } from 'kysely';
import type { MessageHandler } from '../amqp/consumer.js';
import { exchangeOf, type Binding } from '../amqp/topology.js';
import { makeTenancyCodecs, type AuthorizationMessages } from './codecs.js';
import type { ApiKeyRevocation, IssuedApiKey, ProjectAnnouncement, ProjectDeletion } from './model.js';
import { lockProject, makeTenancy, type TenancyTables } from './postgres.js';
import { forgetProject, recordApiKey, recordProject, revokeApiKey } from './replication.js';

export const PROJECT_CREATED = 'trellis.authorization.v1.ProjectCreated';
export const PROJECT_DELETED = 'trellis.authorization.v1.ProjectDeleted';
export const API_KEY_ISSUED = 'trellis.authorization.v1.ApiKeyIssued';
export const API_KEY_REVOKED = 'trellis.authorization.v1.ApiKeyRevoked';

/** The bindings a service's events queue needs to follow tenancy. */
export function tenancyBindings(): Binding[] {
  return [PROJECT_CREATED, PROJECT_DELETED, API_KEY_ISSUED, API_KEY_REVOKED].map((routingKey) => ({ exchange: exchangeOf('authorization'), routingKey }));
}

export type TenancyHandlers<DB> = {
  [PROJECT_CREATED]: MessageHandler<DB, ProjectAnnouncement>;
  [PROJECT_DELETED]: MessageHandler<DB, ProjectDeletion>;
  [API_KEY_ISSUED]: MessageHandler<DB, IssuedApiKey>;
  [API_KEY_REVOKED]: MessageHandler<DB, ApiKeyRevocation>;
};

/**
 * The handlers of authorization's events. Each runs in the inbox transaction, after taking its
 * project's lock. `deleteProjectData` is the service's own part of a project's deletion (its
 * objects, its rows that do not cascade); when it throws, nothing is committed and the message
 * is retried (see forgetProject for the order of the deletions).
 */
export function makeTenancyHandlers<DB extends TenancyTables>(options: {
  messages: AuthorizationMessages;
  deleteProjectData: (projectId: string, trx: Transaction<DB>) => Promise<Record<string, unknown> | void>;
}): TenancyHandlers<DB> {
  const codecs = makeTenancyCodecs(options.messages);
  return {
    [PROJECT_CREATED]: {
      decode: codecs.projectCreated,
      handle: async (announcement, { trx, logger }) => {
        await lockProject(trx, announcement.projectId);
        const result = await recordProject(makeTenancy(trx), announcement);
        logger.debug('project announcement handled', { project_id: announcement.projectId, ...result });
      },
    },
    [PROJECT_DELETED]: {
      decode: codecs.projectDeleted,
      handle: async (deletion, { trx, logger }) => {
        await lockProject(trx, deletion.projectId);
        const deleteProjectData = (projectId: string) => options.deleteProjectData(projectId, trx);
        const result = await forgetProject({ ...makeTenancy(trx), deleteProjectData }, deletion);
        logger.info('project data deleted', { project_id: deletion.projectId, project_was_known: result.projectWasKnown, ...(result.data ?? {}) });
      },
    },
    [API_KEY_ISSUED]: {
      decode: codecs.apiKeyIssued,
      handle: async (key, { trx, logger }) => {
        await lockProject(trx, key.projectId);
        const result = await recordApiKey(makeTenancy(trx), key);
        logger.debug('API key announcement handled', { project_id: key.projectId, key_id: key.keyId, ...result });
      },
    },
    [API_KEY_REVOKED]: {
      decode: codecs.apiKeyRevoked,
      handle: async (revocation, { trx, logger }) => {
        await lockProject(trx, revocation.projectId);
        const result = await revokeApiKey(makeTenancy(trx), revocation);
        logger.info('API key revocation handled', { project_id: revocation.projectId, key_id: revocation.keyId, ...result });
      },
    },
  };
}
