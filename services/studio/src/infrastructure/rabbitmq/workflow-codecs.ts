import type { IoSpec } from '@trellis/kernel/io';
import type { SiteName } from '@trellis/workflow-language/resources';
import type { UploadedFile } from '../../domain/file.js';
import type { LibraryAction } from '../../domain/library-action.js';
import * as Workflow from '../../domain/workflow/workflow.js';
import * as runner from '../pb/runner/v1/events.js';
import * as pb from '../pb/studio/v1/events.js';

/* Workflows on the wire: studio's deploy and undeploy requests out, the runner's answers in. */

function ioDescription(io: IoSpec): pb.IoDescription {
  return {
    name: io.name, type: io.type, help: io.help, optional: io.optional, values: [...(io.values ?? [])],
    defaultJson: io.default === undefined ? '' : JSON.stringify(io.default), injected: io.injected ?? '', hasSecretDefault: io.hasSecretDefault === true,
  };
}

/** An action version as the runner gets it, with its image for `site` (none on the local site). */
export function pinnedAction(action: LibraryAction, site: SiteName): pb.PinnedAction {
  const { cpu, memoryBytes, timeoutMs } = action.resources;
  return {
    id: action.actionId, version: action.version, digest: action.digest, artifactObject: action.artifactObject, artifactSize: String(action.artifactSize),
    kind: action.kind, runtime: action.runtime, format: action.format, inputs: action.inputs.map(ioDescription), outputs: action.outputs.map(ioDescription),
    resources: { cpu: cpu ?? 0, memoryBytes: String(memoryBytes ?? 0), timeoutMs: String(timeoutMs ?? 0) },
    image: site === 'local' ? '' : (action.images[site] ?? ''),
  };
}

/** An uploaded file a version gives as a static value: all the runner needs to fetch it and check it. */
export function staticFile(file: UploadedFile): pb.StaticFile {
  return { id: file.id, name: file.name, object: file.object, size: String(file.size), sha256: file.sha256, contentType: file.contentType };
}

const MODES: Record<Workflow.UndeployMode, pb.UndeployMode> = {
  graceful: pb.UndeployMode.UNDEPLOY_MODE_GRACEFUL,
  immediate: pb.UndeployMode.UNDEPLOY_MODE_IMMEDIATE,
};

/** A workflow event's protobuf bytes (the routing key is its type). */
export function encodeWorkflowEvent(event: Workflow.WorkflowEvent, meta: pb.EventMeta): Uint8Array {
  switch (event.type) {
    case 'WorkflowDeployRequested':
      return pb.WorkflowDeployRequested.encode({
        meta, workflowId: event.workflowId, workflowName: event.workflowName, version: event.version, checksum: event.checksum,
        deploymentId: event.deploymentId, documentJson: Workflow.documentText(event.document), actions: event.actions.map((action) => pinnedAction(action, event.site)),
        requestedBy: event.requestedBy, files: event.files.map(staticFile), site: event.site,
      }).finish();
    case 'WorkflowUndeployRequested':
      return pb.WorkflowUndeployRequested.encode({
        meta, workflowId: event.workflowId, deploymentId: event.deploymentId, mode: MODES[event.mode], requestedBy: event.requestedBy,
      }).finish();
  }
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function id(value: string | undefined, what: string): string {
  if (!value || !uuid.test(value)) throw new Error(`${what} is not a UUID`);
  return value.toLowerCase();
}

type Answer = { meta?: runner.EventMeta | undefined; workflowId: string; deploymentId: string; version: number };

function answerOf(kind: Workflow.DeployAnswer['kind'], name: string, message: Answer, reason = ''): Workflow.DeployAnswer {
  if (!Number.isInteger(message.version) || message.version < 1) throw new Error(`${name}.version is missing`);
  return {
    kind, projectId: id(message.meta?.projectId, `${name}.meta.project_id`), workflowId: id(message.workflowId, `${name}.workflow_id`),
    deploymentId: id(message.deploymentId, `${name}.deployment_id`), version: message.version, reason,
  };
}

/*
 * The runner's answers -> what studio records. A decoder throws on a message it cannot use, so
 * the consumer dead-letters it at once.
 */
export const decodeWorkflowDeployed = (content: Uint8Array) => answerOf('deployed', 'WorkflowDeployed', runner.WorkflowDeployed.decode(content));

export function decodeWorkflowDeployFailed(content: Uint8Array): Workflow.DeployAnswer {
  const message = runner.WorkflowDeployFailed.decode(content);
  return answerOf('failed', 'WorkflowDeployFailed', message, message.reason.slice(0, 2000));
}

export const decodeWorkflowUndeployed = (content: Uint8Array) => answerOf('undeployed', 'WorkflowUndeployed', runner.WorkflowUndeployed.decode(content));
