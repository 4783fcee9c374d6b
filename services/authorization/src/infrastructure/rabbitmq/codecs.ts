import { exchangeOf } from '@trellis/platform/amqp/topology';
import type { OutgoingMessage } from '@trellis/platform/postgres/outbox';
import type { AuthorizationEvent } from '../../domain/events.js';
import * as pb from '../pb/authorization/v1/events.js';

import { EMITTER } from './topology.js';
const PACKAGE = 'trellis.authorization.v1';

/** Domain event -> wire message. The switch is exhaustive: a new event type does not compile until it is mapped. */
export function toOutgoingMessage(event: AuthorizationEvent, ids: { messageId: string; traceId: string }): OutgoingMessage {
  const meta = { eventId: ids.messageId, occurredAt: event.occurredAt, traceId: ids.traceId };
  switch (event.type) {
    case 'ProjectCreated':
      return {
        messageId: ids.messageId,
        exchange: exchangeOf(EMITTER),
        type: `${PACKAGE}.ProjectCreated`,
        payload: pb.ProjectCreated.encode(pb.ProjectCreated.fromPartial({
          meta: { ...meta, projectId: event.projectId },
          projectId: event.projectId,
          name: event.name,
          createdBy: event.createdBy,
        })).finish(),
        occurredAt: event.occurredAt,
        traceId: ids.traceId,
        projectId: event.projectId,
      };
  }
}
