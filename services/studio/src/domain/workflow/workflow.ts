import type { JsonValue } from '@trellis/kernel/io';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import { actionReferences, splitActionReference, type Problem } from '@trellis/workflow-language/document';
import { WORKFLOW_NAME } from '@trellis/workflow-language/document-shape';
import { isSiteName, type SiteName } from '@trellis/workflow-language/resources';
import type { UploadedFile } from '../file.js';
import type { ImageSite, LibraryAction } from '../library-action.js';

/*
 * A workflow: a draft document anyone with the right may edit, the immutable versions frozen
 * from it, and where its deployment stands. The runner answers every deploy or undeploy
 * request; an answer to an older request than the last one is stale and changes nothing.
 */

export const DEPLOYMENT_STATUSES = ['deploying', 'deployed', 'failed', 'undeploying', 'undeployed'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export const UNDEPLOY_MODES = ['graceful', 'immediate'] as const;
export type UndeployMode = (typeof UNDEPLOY_MODES)[number];

export type Deployment = {
  /** The last request's id; the runner's answer carries it back. */
  readonly id: string;
  readonly status: DeploymentStatus;
  /** The version the last request named (being deployed, or being undeployed). */
  readonly version: number;
  /** The version the runner serves: set when deployed, kept by a failed redeploy, cleared when undeployed. */
  readonly servingVersion: number | null;
  /** Why the last deployment failed. */
  readonly reason: string | null;
  /** How the last undeploy request treats the runs in flight. */
  readonly mode: UndeployMode | null;
  readonly requestedBy: string;
  readonly updatedAt: Date;
};

export type Workflow = {
  readonly id: string;
  readonly projectId: string;
  /** The draft's name: unique in the project. */
  readonly name: string;
  /** The draft, canonical (keys in the format's order) with its actions pinned where the library knew them. */
  readonly document: JsonValue;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly updatedAt: Date;
  readonly updatedBy: string;
  /** The newest frozen version; 0 before the first deploy. */
  readonly latestVersion: number;
  readonly deployment: Deployment | null;
};

/** An action version a frozen version uses, with the digest of its artifact then. */
export type Pin = { readonly actionId: string; readonly version: string; readonly digest: string };

export type WorkflowVersion = {
  readonly projectId: string;
  readonly workflowId: string;
  readonly version: number;
  readonly document: JsonValue;
  /** SHA-256 (hex) of `checksumText(document, pins)`. */
  readonly checksum: string;
  readonly pins: readonly Pin[];
  readonly createdAt: Date;
  readonly createdBy: string;
};

export type WorkflowDeployRequested = {
  readonly type: 'WorkflowDeployRequested';
  readonly projectId: string;
  readonly workflowId: string;
  readonly workflowName: string;
  readonly version: number;
  readonly checksum: string;
  readonly deploymentId: string;
  /** The version's document (canonical). */
  readonly document: JsonValue;
  /** Every action version it names, as the library holds it (with the pinned digest). */
  readonly actions: readonly LibraryAction[];
  /** Every uploaded file it names as a static value (`{ file: <id> }`), by id. */
  readonly files: readonly UploadedFile[];
  /** Where its actions run: the document's `site`, else the instance's default. */
  readonly site: SiteName;
  readonly requestedBy: string;
  readonly occurredAt: Date;
};

export type WorkflowUndeployRequested = {
  readonly type: 'WorkflowUndeployRequested';
  readonly projectId: string;
  readonly workflowId: string;
  readonly deploymentId: string;
  readonly mode: UndeployMode;
  readonly requestedBy: string;
  readonly occurredAt: Date;
};

export type WorkflowEvent = WorkflowDeployRequested | WorkflowUndeployRequested;

/** What the runner answered to a request. */
export type DeployAnswer = {
  readonly kind: 'deployed' | 'failed' | 'undeployed';
  readonly projectId: string;
  readonly workflowId: string;
  readonly deploymentId: string;
  readonly version: number;
  /** Why it failed; empty otherwise. */
  readonly reason: string;
};

export type WorkflowUnsavable = { readonly type: 'WorkflowUnsavable'; readonly problems: readonly Problem[] };
export type WorkflowInvalid = { readonly type: 'WorkflowInvalid'; readonly problems: readonly Problem[] };
export type WorkflowLive = { readonly type: 'WorkflowLive'; readonly name: string; readonly status: DeploymentStatus };
export type NotDeployed = { readonly type: 'NotDeployed'; readonly name: string };
export type PinnedActionUnavailable = {
  readonly type: 'PinnedActionUnavailable';
  readonly version: number;
  readonly actionId: string;
  readonly actionVersion: string;
  /** deleted: the library no longer has it; rebuilt: the library holds another build of it. */
  readonly reason: 'deleted' | 'rebuilt';
};

/** A version deployed to the docker or kubernetes site names an action version the builder made no image of for it. */
export type ImageMissing = {
  readonly type: 'ImageMissing';
  readonly site: ImageSite;
  readonly actionId: string;
  readonly actionVersion: string;
};

type JsonObject = { readonly [key: string]: JsonValue };
const isObject = (value: JsonValue | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The name a document is saved under. A document that is not an object or has no valid name
 * cannot be saved (nothing would identify it); any other problem is kept with the draft.
 */
export function draftName(document: JsonValue, problems: readonly Problem[]): Result<string, WorkflowUnsavable> {
  const name = isObject(document) ? document['name'] : undefined;
  if (typeof name === 'string' && WORKFLOW_NAME.test(name)) return ok(name);
  const blocking = problems.filter((problem) => problem.path.length === 0 || (problem.path.length === 1 && problem.path[0] === 'name'));
  return rejected({
    type: 'WorkflowUnsavable',
    problems: blocking.length > 0 ? blocking : [{ code: 'invalid_value', path: ['name'], message: 'A workflow needs a name to be saved.' }],
  });
}

export function create(input: { id: string; projectId: string; name: string; document: JsonValue; by: string; now: Date }): Workflow {
  return {
    id: input.id, projectId: input.projectId, name: input.name, document: input.document,
    createdAt: input.now, createdBy: input.by, updatedAt: input.now, updatedBy: input.by, latestVersion: 0, deployment: null,
  };
}

/** The draft replaced (renamed when its name changed); versions and deployment stay. */
export function replaceDraft(workflow: Workflow, input: { name: string; document: JsonValue; by: string; now: Date }): Workflow {
  return { ...workflow, name: input.name, document: input.document, updatedAt: input.now, updatedBy: input.by };
}

/** The HTTP trigger's path of a document, if it has one (another workflow may not take it). */
export function httpPathOf(document: JsonValue): string | null {
  const trigger = isObject(document) ? document['trigger'] : undefined;
  return isObject(trigger) && trigger['type'] === 'http' && typeof trigger['path'] === 'string' ? trigger['path'] : null;
}

export function triggerTypeOf(document: JsonValue): string | null {
  const trigger = isObject(document) ? document['trigger'] : undefined;
  return isObject(trigger) && typeof trigger['type'] === 'string' ? trigger['type'] : null;
}

/** The versions the runner serves or is asked to serve: what must not be taken away from under it. */
export function liveVersions(deployment: Deployment | null): number[] {
  if (!deployment) return [];
  const live = new Set<number>();
  if (deployment.status === 'deploying' || deployment.status === 'deployed' || deployment.status === 'undeploying') live.add(deployment.version);
  if (deployment.servingVersion !== null) live.add(deployment.servingVersion);
  return [...live].sort((a, b) => a - b);
}

/** A workflow the runner serves (or is asked to serve) cannot be deleted: undeploy it first. */
export function checkDeletable(workflow: Workflow): Result<void, WorkflowLive> {
  const { deployment } = workflow;
  if (deployment && liveVersions(deployment).length > 0) return rejected({ type: 'WorkflowLive', name: workflow.name, status: deployment.status });
  return ok(undefined);
}

/** The workflows (by name, sorted, once each) whose live versions are among `uses`. */
export function liveUsers(uses: ReadonlyArray<{ workflowName: string; version: number; deployment: Deployment | null }>): string[] {
  const names = uses.filter((use) => liveVersions(use.deployment).includes(use.version)).map((use) => use.workflowName);
  return [...new Set(names)].sort();
}

/** The JSON text of a document: what is stored, checksummed and sent to the runner. */
export function documentText(document: JsonValue): string {
  return JSON.stringify(document);
}

/** What a version's checksum is taken of: its document's text, then its pins (sorted). */
export function checksumText(document: JsonValue, pins: readonly Pin[]): string {
  const sorted = [...pins].sort((a, b) => `${a.actionId}@${a.version}`.localeCompare(`${b.actionId}@${b.version}`));
  return `${documentText(document)}\n${JSON.stringify(sorted.map((pin) => [pin.actionId, pin.version, pin.digest]))}`;
}

/** The action versions a document names (`id@version`), once each, in document order. */
export function pinnedReferences(document: JsonValue): { actionId: string; version: string }[] {
  const seen = new Map<string, { actionId: string; version: string }>();
  for (const { reference } of actionReferences(document)) {
    const { id, version } = splitActionReference(reference);
    if (version !== undefined && !seen.has(reference)) seen.set(reference, { actionId: id, version });
  }
  return [...seen.values()];
}

/**
 * The library rows of a version's pins, checked against the digests it was frozen with: an
 * action version deleted or rebuilt since cannot be deployed again as it was.
 */
export function pinnedActions(version: Pick<WorkflowVersion, 'version' | 'pins'>, library: readonly LibraryAction[]): Result<LibraryAction[], PinnedActionUnavailable> {
  const actions: LibraryAction[] = [];
  for (const pin of version.pins) {
    const action = library.find((row) => row.actionId === pin.actionId && row.version === pin.version);
    if (!action || action.digest !== pin.digest) {
      return rejected({ type: 'PinnedActionUnavailable', version: version.version, actionId: pin.actionId, actionVersion: pin.version, reason: action ? 'rebuilt' : 'deleted' });
    }
    actions.push(action);
  }
  return ok(actions);
}

/** Where a version's actions run: its document's `site`, else the instance's default. */
export function siteOf(document: JsonValue, instanceDefault: SiteName): SiteName {
  const site = isObject(document) ? document['site'] : undefined;
  return isSiteName(site) ? site : instanceDefault;
}

/** On the docker and kubernetes sites every action runs from an image: each one needs one for that site. */
export function checkImages(actions: readonly LibraryAction[], site: SiteName): Result<void, ImageMissing> {
  if (site === 'local') return ok(undefined);
  const missing = actions.find((action) => !action.images[site]);
  return missing ? rejected({ type: 'ImageMissing', site, actionId: missing.actionId, actionVersion: missing.version }) : ok(undefined);
}

/**
 * The version a deploy of the draft deploys: the latest one when the draft has not changed since
 * (same checksum), else a new one numbered after it.
 */
export function freeze(
  workflow: Workflow,
  input: { document: JsonValue; pins: readonly Pin[]; checksum: string; latest: WorkflowVersion | undefined; by: string; now: Date },
): { workflow: Workflow; version: WorkflowVersion; reused: boolean } {
  if (input.latest && input.latest.checksum === input.checksum) return { workflow, version: input.latest, reused: true };
  const version: WorkflowVersion = {
    projectId: workflow.projectId, workflowId: workflow.id, version: workflow.latestVersion + 1, document: input.document,
    checksum: input.checksum, pins: input.pins, createdAt: input.now, createdBy: input.by,
  };
  return { workflow: { ...workflow, latestVersion: version.version }, version, reused: false };
}

/**
 * Asks the runner to serve `version`, whatever the deployment's state: the request gets a new
 * id, so an answer to an earlier one is stale from now on. The version served until the runner
 * answers stays served.
 */
export function requestDeploy(
  workflow: Workflow,
  input: { version: WorkflowVersion; actions: readonly LibraryAction[]; files: readonly UploadedFile[]; site: SiteName; deploymentId: string; by: string; now: Date },
): { workflow: Workflow; events: [WorkflowDeployRequested] } {
  const deployment: Deployment = {
    id: input.deploymentId, status: 'deploying', version: input.version.version, servingVersion: workflow.deployment?.servingVersion ?? null,
    reason: null, mode: null, requestedBy: input.by, updatedAt: input.now,
  };
  return {
    workflow: { ...workflow, deployment },
    events: [{
      type: 'WorkflowDeployRequested', projectId: workflow.projectId, workflowId: workflow.id, workflowName: workflow.name,
      version: input.version.version, checksum: input.version.checksum, deploymentId: input.deploymentId, document: input.version.document,
      actions: input.actions, files: input.files, site: input.site, requestedBy: input.by, occurredAt: input.now,
    }],
  };
}

/** Asks the runner to stop serving the workflow; refused when nothing is deployed or being deployed. */
export function requestUndeploy(
  workflow: Workflow,
  input: { deploymentId: string; mode: UndeployMode; by: string; now: Date },
): Result<{ workflow: Workflow; events: [WorkflowUndeployRequested] }, NotDeployed> {
  const current = workflow.deployment;
  if (!current || liveVersions(current).length === 0) return rejected({ type: 'NotDeployed', name: workflow.name });
  const deployment: Deployment = {
    id: input.deploymentId, status: 'undeploying', version: current.status === 'failed' ? (current.servingVersion ?? current.version) : current.version,
    servingVersion: current.servingVersion, reason: null, mode: input.mode, requestedBy: input.by, updatedAt: input.now,
  };
  return ok({
    workflow: { ...workflow, deployment },
    events: [{
      type: 'WorkflowUndeployRequested', projectId: workflow.projectId, workflowId: workflow.id, deploymentId: input.deploymentId,
      mode: input.mode, requestedBy: input.by, occurredAt: input.now,
    }],
  });
}

export type AnswerOutcome = 'applied' | 'duplicate' | 'stale';

const answered: Record<DeployAnswer['kind'], { from: DeploymentStatus; to: DeploymentStatus }> = {
  deployed: { from: 'deploying', to: 'deployed' },
  failed: { from: 'deploying', to: 'failed' },
  undeployed: { from: 'undeploying', to: 'undeployed' },
};

/**
 * The deployment after the runner's answer: `deploying -> deployed | failed`,
 * `undeploying -> undeployed`. An answer to another request than the last is stale; the same
 * answer twice changes nothing the second time.
 */
export function recordAnswer(workflow: Workflow, answer: DeployAnswer, now: Date): { workflow: Workflow; outcome: AnswerOutcome } {
  const current = workflow.deployment;
  const { from, to } = answered[answer.kind];
  if (!current || current.id !== answer.deploymentId) return { workflow, outcome: 'stale' };
  if (current.status === to) return { workflow, outcome: 'duplicate' };
  if (current.status !== from) return { workflow, outcome: 'stale' };
  const servingVersion = answer.kind === 'deployed' ? current.version : answer.kind === 'undeployed' ? null : current.servingVersion;
  const reason = answer.kind === 'failed' ? answer.reason || 'The runner gave no reason.' : null;
  return { workflow: { ...workflow, deployment: { ...current, status: to, servingVersion, reason, updatedAt: now } }, outcome: 'applied' };
}
