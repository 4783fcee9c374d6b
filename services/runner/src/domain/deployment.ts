import type { IoSpec, JsonValue } from '@trellis/kernel/io';
import { readDocument } from '@trellis/workflow-language/document';
import type { SiteName } from '@trellis/workflow-language/resources';

export type { SiteName } from '@trellis/workflow-language/resources';

/*
 * What each workflow serves on the runner. Studio asks for deployments and undeployments in
 * order per workflow; the runner keeps the last request it received (`deploymentId`, `version`,
 * `status`) apart from the version that serves runs now (`servingVersion`), so that a redeploy
 * being prepared, or one that failed, leaves the version served before in place. Runs reference
 * (workflow, version), so switching `servingVersion` never touches a run in flight.
 */

export const DEPLOYMENT_STATUSES = ['deploying', 'active', 'failed', 'undeploying', 'undeployed'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export type UndeployMode = 'graceful' | 'immediate';

export type TriggerType = 'http' | 'manual' | 'schedule' | 'action';

/** An action version as a deploy request pins it (the snapshot is whole: no lookup later). */
export type PinnedAction = {
  readonly actionId: string;
  readonly version: string;
  /** SHA-256 (hex) of the artifact. */
  readonly digest: string;
  readonly artifactObject: string;
  readonly artifactSize: number;
  readonly kind: 'Trigger' | 'Processor' | 'Publisher';
  readonly runtime: string;
  /** trellis or ryax. */
  readonly format: string;
  readonly inputs: readonly IoSpec[];
  readonly outputs: readonly IoSpec[];
  readonly resources: { readonly cpu?: number; readonly memoryBytes?: number; readonly timeoutMs?: number };
  /** The image the builder made for the version's site (docker, kubernetes); absent on the local site. */
  readonly image?: string;
};

/** An uploaded file a version gives as a static value. */
export type StaticFile = {
  readonly id: string;
  readonly name: string;
  readonly object: string;
  readonly size: number;
  readonly sha256: string;
  readonly contentType: string;
};

/** One immutable version of a workflow, as studio froze it: what the runs of that version read. */
export type DeployedVersion = {
  readonly workflowId: string;
  readonly version: number;
  readonly projectId: string;
  readonly name: string;
  readonly checksum: string;
  /** The canonical document as studio sent it (JSON text, kept byte for byte). */
  readonly documentJson: string;
  readonly actions: readonly PinnedAction[];
  readonly files: readonly StaticFile[];
  /** Where its actions run (studio chose: the document's `site`, else its instance's default). */
  readonly site: SiteName;
  readonly receivedAt: Date;
};

export type DeployRequest = {
  readonly projectId: string;
  readonly workflowId: string;
  readonly workflowName: string;
  readonly version: number;
  readonly checksum: string;
  readonly deploymentId: string;
  readonly documentJson: string;
  readonly actions: readonly PinnedAction[];
  readonly files: readonly StaticFile[];
  readonly site: SiteName;
  readonly requestedAt: Date;
  readonly traceId: string;
};

export type UndeployRequest = {
  readonly projectId: string;
  readonly workflowId: string;
  readonly deploymentId: string;
  readonly mode: UndeployMode;
  readonly requestedAt: Date;
  readonly traceId: string;
};

export type Deployment = {
  readonly workflowId: string;
  readonly projectId: string;
  readonly name: string;
  /** The version the last request named. */
  readonly version: number;
  /** The last request received (deploy or undeploy). */
  readonly deploymentId: string;
  readonly status: DeploymentStatus;
  /** Only after an undeploy request. */
  readonly mode: UndeployMode | null;
  /** Why the last deploy failed; '' otherwise. */
  readonly reason: string;
  /** The version new runs start on; null when the workflow accepts no run. */
  readonly servingVersion: number | null;
  /** The trigger of the serving version (null when none serves). */
  readonly triggerType: TriggerType | null;
  /** The path under /user-api/<project>/ of the serving version's HTTP trigger. */
  readonly httpPath: string | null;
  /** The trace id of the last request: the answer carries it. */
  readonly traceId: string;
  readonly updatedAt: Date;
};

/** The runner's answers, emitted on `trellis.runner`. */
export type RunnerEvent =
  | { readonly type: 'WorkflowDeployed'; readonly projectId: string; readonly workflowId: string; readonly deploymentId: string; readonly version: number; readonly site: string; readonly occurredAt: Date }
  | { readonly type: 'WorkflowDeployFailed'; readonly projectId: string; readonly workflowId: string; readonly deploymentId: string; readonly version: number; readonly reason: string; readonly occurredAt: Date }
  | { readonly type: 'WorkflowUndeployed'; readonly projectId: string; readonly workflowId: string; readonly deploymentId: string; readonly version: number; readonly occurredAt: Date };

/** Does a new run of this deployment start? (The engine asks this before creating a run.) */
export const acceptsRuns = (deployment: Deployment): boolean => deployment.servingVersion !== null;

/** The trigger of a version's document: its type, and its path when it is an HTTP trigger. */
export function triggerOf(documentJson: string): { type: TriggerType | null; httpPath: string | null } {
  let raw: JsonValue;
  try {
    raw = JSON.parse(documentJson) as JsonValue;
  } catch {
    return { type: null, httpPath: null };
  }
  const trigger = readDocument(raw).trigger;
  if (!trigger) return { type: null, httpPath: null };
  return { type: trigger.type, httpPath: trigger.type === 'http' ? trigger.path : null };
}

/** `add-one@1.0.0`: how reasons and logs name an action version. */
export const actionName = (action: Pick<PinnedAction, 'actionId' | 'version'>): string => `${action.actionId}@${action.version}`;

/**
 * A deploy request arrives. `redelivered`: its deployment id is the one recorded (nothing to
 * do: the preparation already ran or is running). Otherwise the deployment becomes `deploying`
 * on the requested version; what serves now keeps serving until the new version is ready.
 */
export function requestDeploy(current: Deployment | undefined, request: DeployRequest): { outcome: 'redelivered' } | { outcome: 'deploying'; deployment: Deployment } {
  if (current?.deploymentId === request.deploymentId) return { outcome: 'redelivered' };
  return {
    outcome: 'deploying',
    deployment: {
      workflowId: request.workflowId, projectId: request.projectId, name: request.workflowName, version: request.version,
      deploymentId: request.deploymentId, status: 'deploying', mode: null, reason: '',
      servingVersion: current?.servingVersion ?? null, triggerType: current?.triggerType ?? null, httpPath: current?.httpPath ?? null,
      traceId: request.traceId, updatedAt: request.requestedAt,
    },
  };
}

/** Is the preparation of `deploymentId` still wanted? (A later request supersedes it.) */
export const stillDeploying = (current: Deployment | undefined, deploymentId: string): current is Deployment =>
  current?.deploymentId === deploymentId && current.status === 'deploying';

export type Settled = { deployment: Deployment; event: RunnerEvent };

/**
 * The preparation of the requested version (on `site`) ended. On success the version serves from now on
 * (atomically: one row), unless its HTTP path is served by another workflow of the project
 * (`pathServedBy`), which fails the deploy. On failure the version served before stays.
 */
export function settleDeploy(
  current: Deployment,
  prepared: { ok: true } | { ok: false; reason: string },
  trigger: { type: TriggerType | null; httpPath: string | null },
  pathServedBy: { workflowId: string; name: string } | undefined,
  now: Date,
  site: SiteName,
): Settled {
  const base = { projectId: current.projectId, workflowId: current.workflowId, deploymentId: current.deploymentId, version: current.version, occurredAt: now };
  const reason = !prepared.ok
    ? prepared.reason
    : pathServedBy
      ? `the HTTP path ${trigger.httpPath ?? ''} is already served by the workflow ${pathServedBy.name} (${pathServedBy.workflowId}) of this project`
      : undefined;
  if (reason !== undefined) {
    return { deployment: { ...current, status: 'failed', reason, updatedAt: now }, event: { type: 'WorkflowDeployFailed', ...base, reason } };
  }
  return {
    deployment: { ...current, status: 'active', reason: '', servingVersion: current.version, triggerType: trigger.type, httpPath: trigger.httpPath, updatedAt: now },
    event: { type: 'WorkflowDeployed', ...base, site },
  };
}

/**
 * An undeploy request arrives: the workflow accepts no new run at once (`undeploying`).
 * `redelivered` as for deploys; `unknown`: the runner never received a deploy of it.
 */
export function requestUndeploy(current: Deployment | undefined, request: UndeployRequest): { outcome: 'redelivered' | 'unknown' } | { outcome: 'undeploying'; deployment: Deployment } {
  if (!current) return { outcome: 'unknown' };
  if (current.deploymentId === request.deploymentId) return { outcome: 'redelivered' };
  return {
    outcome: 'undeploying',
    deployment: {
      ...current, deploymentId: request.deploymentId, status: 'undeploying', mode: request.mode, reason: '',
      // The version answered is the one that served (or, when none did, the one last asked for).
      version: current.servingVersion ?? current.version,
      servingVersion: null, triggerType: null, httpPath: null, traceId: request.traceId, updatedAt: request.requestedAt,
    },
  };
}

/** The runs in flight are done with (waited for or canceled): the workflow is undeployed. */
export function settleUndeploy(current: Deployment, now: Date): Settled {
  return {
    deployment: { ...current, status: 'undeployed', updatedAt: now },
    event: { type: 'WorkflowUndeployed', projectId: current.projectId, workflowId: current.workflowId, deploymentId: current.deploymentId, version: current.version, occurredAt: now },
  };
}

/** `<actionId>@<version>`: the identity of an action version within a project. */
export type ActionKey = string;

/** The action versions of `candidates` that no version in `inUse` uses (what the site may release). */
export function unusedActions(candidates: readonly PinnedAction[], inUse: ReadonlySet<ActionKey>): PinnedAction[] {
  const seen = new Set<ActionKey>();
  return candidates.filter((action) => {
    const key = actionName(action);
    if (inUse.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
