import type { PinnedAction } from '../domain/deployment.js';
import type { ActionSite, ActionVersionRef } from './site.js';

/** A pinned action of a project as the site takes it. */
export function actionRef(projectId: string, action: PinnedAction): ActionVersionRef {
  return {
    projectId, actionId: action.actionId, version: action.version, digest: action.digest, artifactObject: action.artifactObject,
    artifactSize: action.artifactSize, kind: action.kind, runtime: action.runtime, inputs: action.inputs, outputs: action.outputs,
    ...(action.resources.timeoutMs !== undefined ? { timeoutMs: action.resources.timeoutMs } : {}),
  };
}

/** Tells the site that no deployment uses these versions any more (after the change that stopped using them committed). */
export async function releaseActions(site: Pick<ActionSite, 'release'>, projectId: string, actions: readonly PinnedAction[]): Promise<void> {
  for (const action of actions) await site.release(actionRef(projectId, action));
}
