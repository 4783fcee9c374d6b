import { exchangeOf, type ConsumerQueue } from '@trellis/platform/amqp/topology';
import type { MessageHandler } from '@trellis/platform/amqp/consumer';
import { recordProject } from '../../application/record-project.js';
import type { ProjectAnnouncement } from '../../domain/project.js';
import * as authorization from '../pb/authorization/v1/events.js';
import { makeProjectRepository } from '../postgres/project-repository.js';
import type { Database } from '../postgres/schema.js';

export const EMITTER = 'repository';

const PROJECT_CREATED = 'trellis.authorization.v1.ProjectCreated';

export function eventsQueue(retryDelaysMs: readonly number[]): ConsumerQueue {
  return {
    name: `trellis.${EMITTER}.events`,
    bindings: [{ exchange: exchangeOf('authorization'), routingKey: PROJECT_CREATED }],
    retryDelaysMs,
  };
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Wire -> application input; throws (so the message is dead-lettered) when required fields are missing. */
export function decodeProjectCreated(content: Uint8Array): ProjectAnnouncement {
  const message = authorization.ProjectCreated.decode(content);
  const occurredAt = message.meta?.occurredAt;
  if (!uuid.test(message.projectId)) throw new Error('ProjectCreated without a valid project_id');
  if (!message.name) throw new Error('ProjectCreated without a name');
  if (!occurredAt || Number.isNaN(occurredAt.getTime())) throw new Error('ProjectCreated without meta.occurred_at');
  return { projectId: message.projectId, name: message.name, occurredAt };
}

export function makeHandlers(): Record<string, MessageHandler<Database, ProjectAnnouncement>> {
  return {
    [PROJECT_CREATED]: {
      decode: decodeProjectCreated,
      handle: async (announcement, { trx, logger }) => {
        const { recorded } = await recordProject({ projects: makeProjectRepository(trx) }, announcement);
        logger.debug('project announcement handled', { project_id: announcement.projectId, recorded });
      },
    },
  };
}
