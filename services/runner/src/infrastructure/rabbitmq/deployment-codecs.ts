import type { IoSpec, JsonValue } from '@trellis/kernel/io';
import { exchangeOf } from '@trellis/platform/amqp/topology';
import type { OutgoingMessage } from '@trellis/platform/postgres/outbox';
import { isSiteName } from '@trellis/workflow-language/resources';
import type { DeployRequest, PinnedAction, RunnerEvent, SiteName, StaticFile, UndeployRequest } from '../../domain/deployment.js';
import * as pb from '../pb/runner/v1/events.js';
import * as studio from '../pb/studio/v1/events.js';
import { SERVICE } from './topology.js';

/*
 * Deployments on the wire: studio's requests in, the runner's answers out. A decoder throws when
 * a required field is missing or malformed, so the consumer dead-letters the message at once
 * instead of acting on it.
 */

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const sha256 = /^[0-9a-f]{64}$/;
const KINDS = ['Trigger', 'Processor', 'Publisher'] as const;
/** Counts that must stay exact as JS numbers (sizes, milliseconds). */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function id(value: string | undefined, what: string): string {
  if (!value || !uuid.test(value)) throw new Error(`${what} is not a UUID`);
  return value.toLowerCase();
}

function required(value: string, what: string): string {
  if (!value) throw new Error(`${what} is missing`);
  return value;
}

function count(value: string, what: string): number {
  if (!/^\d+$/.test(value) || BigInt(value) > MAX_SAFE) throw new Error(`${what} is not a count`);
  return Number(value);
}

function occurredAt(meta: studio.EventMeta | undefined, event: string): Date {
  const at = meta?.occurredAt;
  if (!at || Number.isNaN(at.getTime())) throw new Error(`${event}.meta.occurred_at is missing`);
  return at;
}

function ioOf(io: studio.IoDescription, where: string): IoSpec {
  let parsedDefault: JsonValue | undefined;
  if (io.defaultJson) {
    try {
      parsedDefault = JSON.parse(io.defaultJson) as JsonValue;
    } catch {
      throw new Error(`${where}.${io.name}.default_json is not JSON`);
    }
  }
  return {
    name: required(io.name, `${where}.name`), type: required(io.type, `${where}.${io.name}.type`), help: io.help, optional: io.optional,
    ...(io.values.length > 0 ? { values: io.values } : {}),
    ...(parsedDefault !== undefined ? { default: parsedDefault } : {}),
    ...(io.injected ? { injected: io.injected } : {}),
    ...(io.hasSecretDefault ? { hasSecretDefault: true } : {}),
  };
}

function pinnedAction(action: studio.PinnedAction, index: number): PinnedAction {
  const where = `WorkflowDeployRequested.actions[${index}]`;
  const kind = KINDS.find((k) => k === action.kind);
  if (!kind) throw new Error(`${where}.kind is not Trigger, Processor or Publisher`);
  if (!sha256.test(action.digest)) throw new Error(`${where}.digest is not a lowercase hex SHA-256`);
  const resources = action.resources;
  const memoryBytes = resources ? count(resources.memoryBytes, `${where}.resources.memory_bytes`) : 0;
  const timeoutMs = resources ? count(resources.timeoutMs, `${where}.resources.timeout_ms`) : 0;
  return {
    actionId: required(action.id, `${where}.id`), version: required(action.version, `${where}.version`), digest: action.digest,
    artifactObject: required(action.artifactObject, `${where}.artifact_object`), artifactSize: count(action.artifactSize, `${where}.artifact_size`),
    kind, runtime: required(action.runtime, `${where}.runtime`), format: action.format || 'trellis',
    inputs: action.inputs.map((io) => ioOf(io, `${where}.inputs`)), outputs: action.outputs.map((io) => ioOf(io, `${where}.outputs`)),
    resources: {
      ...(resources?.cpu ? { cpu: resources.cpu } : {}),
      ...(memoryBytes > 0 ? { memoryBytes } : {}),
      ...(timeoutMs > 0 ? { timeoutMs } : {}),
    },
    ...(action.image ? { image: action.image } : {}),
  };
}

/** Empty from a studio that predates sites: local. A site this runner has never heard of cannot be served. */
function siteOf(site: string): SiteName {
  if (site === '') return 'local';
  if (!isSiteName(site)) throw new Error(`WorkflowDeployRequested.site ${JSON.stringify(site.slice(0, 100))} is not local, docker or kubernetes`);
  return site;
}

function staticFile(file: studio.StaticFile, index: number): StaticFile {
  const where = `WorkflowDeployRequested.files[${index}]`;
  if (!sha256.test(file.sha256)) throw new Error(`${where}.sha256 is not a lowercase hex SHA-256`);
  return {
    id: required(file.id, `${where}.id`), name: required(file.name, `${where}.name`), object: required(file.object, `${where}.object`),
    size: count(file.size, `${where}.size`), sha256: file.sha256, contentType: file.contentType || 'application/octet-stream',
  };
}

/** The trace id rides in the AMQP headers, not in the message: the handler adds it. */
export type Decoded<T> = Omit<T, 'traceId'>;

export function decodeDeployRequested(content: Uint8Array): Decoded<DeployRequest> {
  const message = studio.WorkflowDeployRequested.decode(content);
  if (!Number.isInteger(message.version) || message.version < 1) throw new Error('WorkflowDeployRequested.version is missing');
  let document: unknown;
  try {
    document = JSON.parse(message.documentJson);
  } catch {
    throw new Error('WorkflowDeployRequested.document_json is not JSON');
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) throw new Error('WorkflowDeployRequested.document_json is not an object');
  return {
    projectId: id(message.meta?.projectId, 'WorkflowDeployRequested.meta.project_id'),
    workflowId: id(message.workflowId, 'WorkflowDeployRequested.workflow_id'),
    workflowName: required(message.workflowName, 'WorkflowDeployRequested.workflow_name'),
    version: message.version,
    checksum: required(message.checksum, 'WorkflowDeployRequested.checksum'),
    deploymentId: id(message.deploymentId, 'WorkflowDeployRequested.deployment_id'),
    documentJson: message.documentJson,
    actions: message.actions.map(pinnedAction),
    files: message.files.map(staticFile),
    site: siteOf(message.site),
    requestedAt: occurredAt(message.meta, 'WorkflowDeployRequested'),
  };
}

const MODES: Partial<Record<studio.UndeployMode, UndeployRequest['mode']>> = {
  [studio.UndeployMode.UNDEPLOY_MODE_GRACEFUL]: 'graceful',
  [studio.UndeployMode.UNDEPLOY_MODE_IMMEDIATE]: 'immediate',
};

export function decodeUndeployRequested(content: Uint8Array): Decoded<UndeployRequest> {
  const message = studio.WorkflowUndeployRequested.decode(content);
  const mode = MODES[message.mode];
  if (!mode) throw new Error('WorkflowUndeployRequested.mode is neither graceful nor immediate');
  return {
    projectId: id(message.meta?.projectId, 'WorkflowUndeployRequested.meta.project_id'),
    workflowId: id(message.workflowId, 'WorkflowUndeployRequested.workflow_id'),
    deploymentId: id(message.deploymentId, 'WorkflowUndeployRequested.deployment_id'),
    mode,
    requestedAt: occurredAt(message.meta, 'WorkflowUndeployRequested'),
  };
}

const PACKAGE = 'trellis.runner.v1';

/**
 * The runner's event -> outbox message (protobuf bytes and the EventMeta every message carries),
 * published on `trellis.runner` with the full protobuf name as routing key. Exhaustive over the events.
 */
export function toOutgoingMessage(event: RunnerEvent, ids: { messageId: string; traceId: string }): OutgoingMessage {
  const meta: pb.EventMeta = { eventId: ids.messageId, occurredAt: event.occurredAt, traceId: ids.traceId, projectId: event.projectId };
  const message = (payload: Uint8Array): OutgoingMessage => ({
    messageId: ids.messageId, exchange: exchangeOf(SERVICE), type: `${PACKAGE}.${event.type}`, payload,
    occurredAt: event.occurredAt, traceId: ids.traceId, projectId: event.projectId,
  });
  const answer = { meta, workflowId: event.workflowId, deploymentId: event.deploymentId, version: event.version };
  switch (event.type) {
    case 'WorkflowDeployed':
      return message(pb.WorkflowDeployed.encode({ ...answer, site: event.site }).finish());
    case 'WorkflowDeployFailed':
      return message(pb.WorkflowDeployFailed.encode({ ...answer, reason: event.reason }).finish());
    case 'WorkflowUndeployed':
      return message(pb.WorkflowUndeployed.encode(answer).finish());
  }
}
