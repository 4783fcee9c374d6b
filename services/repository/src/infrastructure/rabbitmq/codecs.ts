import { exchangeOf } from '@trellis/platform/amqp/topology';
import type { OutgoingMessage } from '@trellis/platform/postgres/outbox';
import type { RepositoryEvent } from '../../application/ports.js';
import type { BuildReport } from '../../application/record-build-progress.js';
import * as builder from '../pb/action-builder/v1/events.js';
import * as pb from '../pb/repository/v1/events.js';
import { SERVICE } from './topology.js';

const PACKAGE = 'trellis.repository.v1';

/** Domain event -> outbox message (protobuf bytes and the EventMeta every message carries). Exhaustive over the events. */
export function toOutgoingMessage(event: RepositoryEvent, ids: { messageId: string; traceId: string }): OutgoingMessage {
  const meta: pb.EventMeta = { eventId: ids.messageId, occurredAt: event.occurredAt, traceId: ids.traceId, projectId: event.projectId };
  switch (event.type) {
    case 'ActionBuildRequested':
      return {
        messageId: ids.messageId,
        exchange: exchangeOf(SERVICE),
        type: `${PACKAGE}.ActionBuildRequested`,
        payload: pb.ActionBuildRequested.encode(pb.ActionBuildRequested.fromPartial({
          meta, buildId: event.buildId, sourceId: event.sourceId, sourceName: event.sourceName, commit: event.commit, folder: event.folder,
          actionId: event.actionId, version: event.version, sourceObject: event.sourceObject, sourceSha256: event.sourceSha256,
          requestedBy: event.requestedBy, imageSites: [],
        })).finish(),
        occurredAt: event.occurredAt,
        traceId: ids.traceId,
        projectId: event.projectId,
      };
  }
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The builder's EventMeta and build id, checked: a report that lacks them cannot be followed (it is dead-lettered). */
function reportOf(message: { meta: builder.EventMeta | undefined; buildId: string }): { buildId: string; projectId: string; at: Date } {
  const { meta, buildId } = message;
  if (!meta?.occurredAt || !uuid.test(meta.projectId)) throw new Error('the event has no valid meta (project id, time)');
  if (!uuid.test(buildId)) throw new Error(`build_id ${JSON.stringify(buildId.slice(0, 64))} is not a UUID`);
  return { buildId, projectId: meta.projectId, at: meta.occurredAt };
}

export function decodeBuildStarted(bytes: Uint8Array): BuildReport {
  const message = builder.ActionBuildStarted.decode(bytes);
  const { buildId, projectId, at } = reportOf(message);
  return { buildId, projectId, progress: { type: 'started', attempt: Math.max(message.attempt, 1), at } };
}

export function decodeBuilt(bytes: Uint8Array): BuildReport {
  const message = builder.ActionBuilt.decode(bytes);
  const { buildId, projectId, at } = reportOf(message);
  if (!/^[0-9a-f]{64}$/.test(message.digest)) throw new Error('ActionBuilt has no valid digest');
  return { buildId, projectId, progress: { type: 'built', digest: message.digest, artifactObject: message.artifactObject, at: message.builtAt ?? at } };
}

/** At most this much of the builder's log tail is kept with the build. */
const LOG_TAIL_LIMIT = 8 * 1024;

export function decodeBuildFailed(bytes: Uint8Array): BuildReport {
  const message = builder.ActionBuildFailed.decode(bytes);
  const { buildId, projectId, at } = reportOf(message);
  return {
    buildId, projectId,
    progress: { type: 'failed', reason: message.reason.slice(0, 2000) || (message.canceled ? 'canceled' : 'the build failed'), logTail: message.logTail.slice(-LOG_TAIL_LIMIT), canceled: message.canceled, at },
  };
}
