import { exchangeOf } from '@trellis/platform/amqp/topology';
import type { OutgoingMessage } from '@trellis/platform/postgres/outbox';
import type { StudioEvent } from '../../application/ports.js';
import { IMAGE_SITES, type Images, type IoSpec, type JsonValue, type LibraryAction } from '../../domain/library-action.js';
import * as builder from '../pb/action-builder/v1/events.js';
import * as pb from '../pb/studio/v1/events.js';
import { SERVICE } from './topology.js';
import { encodeWorkflowEvent } from './workflow-codecs.js';

/*
 * The builder's events -> studio's input. A decoder throws when a required field is missing or
 * malformed, so the consumer dead-letters the message at once instead of acting on it.
 */

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KINDS = ['Trigger', 'Processor', 'Publisher'] as const;

function required(value: string, what: string): string {
  if (!value) throw new Error(`${what} is missing`);
  return value;
}

function id(value: string, what: string): string {
  if (!uuid.test(value)) throw new Error(`${what} is not a UUID`);
  return value.toLowerCase();
}

function ioOf(io: builder.IoDescription, where: string): IoSpec {
  let parsedDefault: JsonValue | undefined;
  if (io.defaultJson) {
    try {
      parsedDefault = JSON.parse(io.defaultJson) as JsonValue;
    } catch {
      throw new Error(`${where}.${io.name}.default_json is not JSON`);
    }
  }
  return {
    name: required(io.name, `${where}.name`),
    type: required(io.type, `${where}.${io.name}.type`),
    help: io.help,
    optional: io.optional,
    ...(io.values.length > 0 ? { values: io.values } : {}),
    ...(parsedDefault !== undefined ? { default: parsedDefault } : {}),
    ...(io.injected ? { injected: io.injected } : {}),
    ...(io.hasSecretDefault ? { hasSecretDefault: true } : {}),
  };
}

/**
 * `docker=<ref>`, `kubernetes=<ref>` -> site -> reference. A site studio does not know is left
 * out (a newer builder's); an entry without a site or a reference is malformed.
 */
export function imagesOf(entries: readonly string[]): Images {
  const images: Partial<Record<(typeof IMAGE_SITES)[number], string>> = {};
  for (const entry of entries) {
    const at = entry.indexOf('=');
    if (at <= 0 || at === entry.length - 1) throw new Error(`ActionBuilt.images has ${JSON.stringify(entry.slice(0, 200))}, not "<site>=<reference>"`);
    const site = IMAGE_SITES.find((name) => name === entry.slice(0, at));
    if (site) images[site] = entry.slice(at + 1);
  }
  return images;
}

export function decodeActionBuilt(content: Uint8Array): LibraryAction {
  const message = builder.ActionBuilt.decode(content);
  const action = message.action;
  if (!action) throw new Error('ActionBuilt without an action');
  const kind = KINDS.find((k) => k === action.kind);
  if (!kind) throw new Error('ActionBuilt.action.kind is not Trigger, Processor or Publisher');
  if (!/^[0-9a-f]{64}$/.test(message.digest)) throw new Error('ActionBuilt.digest is not a lowercase hex SHA-256');
  const builtAt = message.builtAt ?? message.meta?.occurredAt;
  if (!builtAt || Number.isNaN(builtAt.getTime())) throw new Error('ActionBuilt.built_at is missing');
  const resources = action.resources;
  return {
    projectId: id(message.meta?.projectId ?? '', 'ActionBuilt.meta.project_id'),
    actionId: required(action.id, 'ActionBuilt.action.id'),
    version: required(action.version, 'ActionBuilt.action.version'),
    kind,
    name: action.name || action.id,
    description: action.description,
    runtime: required(action.runtime, 'ActionBuilt.action.runtime'),
    format: action.format || 'trellis',
    categories: action.categories,
    inputs: action.inputs.map((io) => ioOf(io, 'inputs')),
    outputs: action.outputs.map((io) => ioOf(io, 'outputs')),
    resources: {
      ...(resources?.cpu ? { cpu: resources.cpu } : {}),
      ...(resources && Number(resources.memoryBytes) > 0 ? { memoryBytes: Number(resources.memoryBytes) } : {}),
      ...(resources && Number(resources.timeoutMs) > 0 ? { timeoutMs: Number(resources.timeoutMs) } : {}),
    },
    digest: message.digest,
    artifactObject: required(message.artifactObject, 'ActionBuilt.artifact_object'),
    artifactSize: Number(message.artifactSize),
    images: imagesOf(message.images),
    logo: message.logo.length > 0 && message.logoMediaType.startsWith('image/') ? { bytes: message.logo, mediaType: message.logoMediaType } : null,
    origin: {
      sourceId: id(message.sourceId, 'ActionBuilt.source_id'),
      commit: message.commit,
      folder: message.folder,
      buildId: id(message.buildId, 'ActionBuilt.build_id'),
    },
    builtAt,
  };
}

const PACKAGE = 'trellis.studio.v1';

/**
 * Studio's event -> outbox message (protobuf bytes and the EventMeta every message carries),
 * published on `trellis.studio` with the full protobuf name as routing key. Exhaustive over the
 * events. A secret's value is in none of them: ProjectSecretSet carries it sealed for the runner.
 */
export function toOutgoingMessage(event: StudioEvent, ids: { messageId: string; traceId: string }): OutgoingMessage {
  const meta: pb.EventMeta = { eventId: ids.messageId, occurredAt: event.occurredAt, traceId: ids.traceId, projectId: event.projectId };
  const message = (name: string, payload: Uint8Array): OutgoingMessage => ({
    messageId: ids.messageId, exchange: exchangeOf(SERVICE), type: `${PACKAGE}.${name}`, payload,
    occurredAt: event.occurredAt, traceId: ids.traceId, projectId: event.projectId,
  });
  if (event.type === 'WorkflowDeployRequested' || event.type === 'WorkflowUndeployRequested') return message(event.type, encodeWorkflowEvent(event, meta));
  const revision = String(event.revision);
  switch (event.type) {
    case 'ProjectVariableSet':
      return message(event.type, pb.ProjectVariableSet.encode({ meta, name: event.name, valueJson: event.valueJson, revision }).finish());
    case 'ProjectVariableDeleted':
      return message(event.type, pb.ProjectVariableDeleted.encode({ meta, name: event.name, revision }).finish());
    case 'ProjectSecretSet':
      return message(event.type, pb.ProjectSecretSet.encode({ meta, name: event.name, sealedValue: Buffer.from(event.sealedValue), keyId: event.keyId, revision }).finish());
    case 'ProjectSecretDeleted':
      return message(event.type, pb.ProjectSecretDeleted.encode({ meta, name: event.name, revision }).finish());
  }
}
