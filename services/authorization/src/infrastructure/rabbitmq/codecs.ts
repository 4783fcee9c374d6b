import { exchangeOf } from '@trellis/platform/amqp/topology';
import type { OutgoingMessage } from '@trellis/platform/postgres/outbox';
import type { AuthorizationEvent } from '../../domain/events.js';
import * as pb from '../pb/authorization/v1/events.js';
import { EMITTER } from './topology.js';

const PACKAGE = 'trellis.authorization.v1';

type Encoded = { name: string; payload: Uint8Array; projectId: string | undefined };

/** Domain event -> protobuf bytes. The switch is exhaustive: a new event type does not compile until it is mapped. */
function encode(event: AuthorizationEvent, meta: pb.EventMeta): Encoded {
  switch (event.type) {
    case 'ProjectCreated':
      return {
        name: 'ProjectCreated',
        projectId: event.projectId,
        payload: pb.ProjectCreated.encode(pb.ProjectCreated.fromPartial({
          meta: { ...meta, projectId: event.projectId }, projectId: event.projectId, name: event.name, createdBy: event.createdBy,
        })).finish(),
      };
    case 'ProjectDeleted':
      return {
        name: 'ProjectDeleted',
        projectId: event.projectId,
        payload: pb.ProjectDeleted.encode(pb.ProjectDeleted.fromPartial({
          meta: { ...meta, projectId: event.projectId }, projectId: event.projectId, deletedBy: event.deletedBy,
        })).finish(),
      };
    case 'UserDeleted':
      return {
        name: 'UserDeleted',
        projectId: undefined,
        payload: pb.UserDeleted.encode(pb.UserDeleted.fromPartial({ meta, userId: event.userId })).finish(),
      };
    case 'MembershipChanged':
      return {
        name: 'MembershipChanged',
        projectId: event.projectId,
        payload: pb.MembershipChanged.encode(pb.MembershipChanged.fromPartial({
          meta: { ...meta, projectId: event.projectId }, projectId: event.projectId, userId: event.userId,
          role: event.role ?? '', changedBy: event.changedBy,
        })).finish(),
      };
    case 'ApiKeyIssued':
      return {
        name: 'ApiKeyIssued',
        projectId: event.projectId,
        payload: pb.ApiKeyIssued.encode(pb.ApiKeyIssued.fromPartial({
          meta: { ...meta, projectId: event.projectId }, keyId: event.keyId, projectId: event.projectId, role: event.role,
          secretSha256: event.secretSha256, expiresAt: event.expiresAt ?? undefined,
        })).finish(),
      };
    case 'ApiKeyRevoked':
      return {
        name: 'ApiKeyRevoked',
        projectId: event.projectId,
        payload: pb.ApiKeyRevoked.encode(pb.ApiKeyRevoked.fromPartial({
          meta: { ...meta, projectId: event.projectId }, keyId: event.keyId, projectId: event.projectId,
        })).finish(),
      };
  }
}

/** Domain event -> outbox message, with the EventMeta every message carries. */
export function toOutgoingMessage(event: AuthorizationEvent, ids: { messageId: string; traceId: string }): OutgoingMessage {
  const meta: pb.EventMeta = { eventId: ids.messageId, occurredAt: event.occurredAt, traceId: ids.traceId, projectId: '' };
  const { name, payload, projectId } = encode(event, meta);
  return {
    messageId: ids.messageId,
    exchange: exchangeOf(EMITTER),
    type: `${PACKAGE}.${name}`,
    payload,
    occurredAt: event.occurredAt,
    traceId: ids.traceId,
    ...(projectId ? { projectId } : {}),
  };
}
