import { exchangeOf, type ConsumerQueue } from '@trellis/platform/amqp/topology';
import type { MessageHandler } from '@trellis/platform/amqp/consumer';
import { deleteProjectData } from '../../application/delete-project-data.js';
import type { ProjectObjects } from '../../application/ports.js';
import { recordApiKey } from '../../application/record-api-key.js';
import { recordProject } from '../../application/record-project.js';
import { revokeApiKey } from '../../application/revoke-api-key.js';
import type { ApiKeyRevocation, IssuedApiKey } from '../../domain/api-key.js';
import type { ProjectAnnouncement, ProjectDeletion } from '../../domain/project.js';
import { makeApiKeyRepository } from '../postgres/api-key-repository.js';
import { lockProject } from '../postgres/project-lock.js';
import { makeProjectRepository } from '../postgres/project-repository.js';
import type { Database } from '../postgres/schema.js';
import { decodeApiKeyIssued, decodeApiKeyRevoked, decodeProjectCreated, decodeProjectDeleted } from './codecs.js';

export const EMITTER = 'repository';

export const PROJECT_CREATED = 'trellis.authorization.v1.ProjectCreated';
export const PROJECT_DELETED = 'trellis.authorization.v1.ProjectDeleted';
export const API_KEY_ISSUED = 'trellis.authorization.v1.ApiKeyIssued';
export const API_KEY_REVOKED = 'trellis.authorization.v1.ApiKeyRevoked';

export function eventsQueue(retryDelaysMs: readonly number[]): ConsumerQueue {
  return {
    name: `trellis.${EMITTER}.events`,
    bindings: [PROJECT_CREATED, PROJECT_DELETED, API_KEY_ISSUED, API_KEY_REVOKED].map((routingKey) => ({ exchange: exchangeOf('authorization'), routingKey })),
    retryDelaysMs,
  };
}

/**
 * Each handler runs in the inbox transaction, after taking its project's lock (see
 * project-lock.ts). A ProjectDeleted whose object removal fails throws: nothing is committed
 * and the message is retried (see deleteProjectData for the order of the deletions).
 */
export function makeHandlers(deps: { objects: ProjectObjects }): {
  [PROJECT_CREATED]: MessageHandler<Database, ProjectAnnouncement>;
  [PROJECT_DELETED]: MessageHandler<Database, ProjectDeletion>;
  [API_KEY_ISSUED]: MessageHandler<Database, IssuedApiKey>;
  [API_KEY_REVOKED]: MessageHandler<Database, ApiKeyRevocation>;
} {
  return {
    [PROJECT_CREATED]: {
      decode: decodeProjectCreated,
      handle: async (announcement, { trx, logger }) => {
        await lockProject(trx, announcement.projectId);
        const result = await recordProject({ projects: makeProjectRepository(trx) }, announcement);
        logger.debug('project announcement handled', { project_id: announcement.projectId, ...result });
      },
    },
    [PROJECT_DELETED]: {
      decode: decodeProjectDeleted,
      handle: async (deletion, { trx, logger }) => {
        await lockProject(trx, deletion.projectId);
        const result = await deleteProjectData(
          { objects: deps.objects, projects: makeProjectRepository(trx), apiKeys: makeApiKeyRepository(trx) },
          deletion,
        );
        logger.info('project data deleted', {
          project_id: deletion.projectId, project_was_known: result.projectWasKnown, objects_deleted: result.objectsDeleted,
        });
      },
    },
    [API_KEY_ISSUED]: {
      decode: decodeApiKeyIssued,
      handle: async (key, { trx, logger }) => {
        await lockProject(trx, key.projectId);
        const result = await recordApiKey({ projects: makeProjectRepository(trx), apiKeys: makeApiKeyRepository(trx) }, key);
        logger.debug('API key announcement handled', { project_id: key.projectId, key_id: key.keyId, ...result });
      },
    },
    [API_KEY_REVOKED]: {
      decode: decodeApiKeyRevoked,
      handle: async (revocation, { trx, logger }) => {
        await lockProject(trx, revocation.projectId);
        const result = await revokeApiKey({ projects: makeProjectRepository(trx), apiKeys: makeApiKeyRepository(trx) }, revocation);
        logger.info('API key revocation handled', { project_id: revocation.projectId, key_id: revocation.keyId, ...result });
      },
    },
  };
}
