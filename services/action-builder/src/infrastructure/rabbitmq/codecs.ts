import { exchangeOf } from '@trellis/platform/amqp/topology';
import type { OutgoingMessage } from '@trellis/platform/postgres/outbox';
import { projectPrefix } from '@trellis/platform/object-store';
import type { PublicAction, PublicIo } from '../../domain/action.js';
import type { BuildRequest } from '../../domain/build.js';
import type { BuilderEvent } from '../../domain/events.js';
import * as pb from '../pb/action-builder/v1/events.js';
import * as repository from '../pb/repository/v1/events.js';
import { SERVICE } from './topology.js';

const PACKAGE = 'trellis.action_builder.v1';
export const ACTION_BUILD_REQUESTED = 'trellis.repository.v1.ActionBuildRequested';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const sha256 = /^[0-9a-f]{64}$/;
const commit = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const actionId = /^[A-Za-z0-9._-]{1,128}$/;

function required(value: string, what: string, pattern?: RegExp): string {
  if (value === '' || (pattern && !pattern.test(value))) throw new Error(`ActionBuildRequested.${what} is missing or malformed`);
  return value;
}

/**
 * Wire -> build request. Throws (the consumer dead-letters the message) when a field is missing
 * or malformed, and when the source tarball is not under the repository's prefix of the same
 * project: a request never makes the builder read another project's objects.
 */
export function decodeBuildRequested(content: Uint8Array): BuildRequest {
  const message = repository.ActionBuildRequested.decode(content);
  const projectId = required(message.meta?.projectId ?? '', 'meta.project_id', uuid).toLowerCase();
  const occurredAt = message.meta?.occurredAt;
  if (!occurredAt || Number.isNaN(occurredAt.getTime())) throw new Error('ActionBuildRequested.meta.occurred_at is missing');
  const sourceObject = required(message.sourceObject, 'source_object');
  if (!sourceObject.startsWith(projectPrefix('repository', projectId)) || sourceObject.split('/').includes('..')) {
    throw new Error('ActionBuildRequested.source_object is not a source of the same project');
  }
  if (message.folder.startsWith('/') || message.folder.split('/').includes('..')) throw new Error('ActionBuildRequested.folder leaves the repository');
  return {
    id: required(message.buildId, 'build_id', uuid).toLowerCase(),
    projectId,
    sourceId: required(message.sourceId, 'source_id', uuid).toLowerCase(),
    sourceName: message.sourceName,
    commit: required(message.commit, 'commit', commit),
    folder: message.folder,
    actionId: required(message.actionId, 'action_id', actionId),
    version: required(message.version, 'version'),
    sourceObject,
    sourceSha256: required(message.sourceSha256, 'source_sha256', sha256),
    requestedBy: message.requestedBy,
    imageSites: message.imageSites.filter((site) => site !== ''),
    traceId: message.meta?.traceId || message.meta?.eventId || '',
    requestedAt: occurredAt,
  };
}

const ioOf = (io: PublicIo): pb.IoDescription => ({
  name: io.name, type: io.type, help: io.help, optional: io.optional, values: [...io.values],
  defaultJson: io.defaultJson, injected: io.injected ?? '', hasSecretDefault: io.hasSecretDefault,
});

const actionOf = (action: PublicAction): pb.ActionDescription => ({
  kind: action.kind, id: action.id, version: action.version, name: action.name, description: action.description, runtime: action.runtime,
  handler: action.handler, categories: [...action.categories], inputs: action.inputs.map(ioOf), outputs: action.outputs.map(ioOf),
  resources: {
    cpu: action.resources.cpu ?? 0,
    memoryBytes: String(action.resources.memoryBytes ?? 0),
    timeoutMs: String(action.resources.timeoutMs ?? 0),
  },
  format: action.format,
});

/** Domain event -> protobuf bytes. Exhaustive: a new event does not compile until it is mapped. */
function encode(event: BuilderEvent, meta: pb.EventMeta): { name: string; payload: Uint8Array } {
  switch (event.type) {
    case 'BuildStarted':
      return { name: 'ActionBuildStarted', payload: pb.ActionBuildStarted.encode({ meta, buildId: event.buildId, attempt: event.attempt }).finish() };
    case 'BuildSucceeded':
      return {
        name: 'ActionBuilt',
        payload: pb.ActionBuilt.encode({
          meta, buildId: event.buildId, sourceId: event.sourceId, commit: event.commit, folder: event.folder, action: actionOf(event.action),
          digest: event.digest, artifactObject: event.artifactObject, artifactSize: String(event.artifactSize), logoObject: '',
          builtAt: event.occurredAt, images: [...event.images], logo: Buffer.from(event.logo?.bytes ?? []), logoMediaType: event.logo?.mediaType ?? '',
        }).finish(),
      };
    case 'BuildFailed':
      return {
        name: 'ActionBuildFailed',
        payload: pb.ActionBuildFailed.encode({
          meta, buildId: event.buildId, reason: event.reason, logTail: event.logTail, logObject: event.logObject ?? '', canceled: event.canceled,
        }).finish(),
      };
  }
}

/** Domain event -> outbox message, with the EventMeta every message carries. */
export function toOutgoingMessage(event: BuilderEvent, messageId: string): OutgoingMessage {
  const meta: pb.EventMeta = { eventId: messageId, occurredAt: event.occurredAt, projectId: event.projectId, traceId: event.traceId };
  const { name, payload } = encode(event, meta);
  return {
    messageId, exchange: exchangeOf(SERVICE), type: `${PACKAGE}.${name}`, payload,
    occurredAt: event.occurredAt, traceId: event.traceId, projectId: event.projectId,
  };
}
