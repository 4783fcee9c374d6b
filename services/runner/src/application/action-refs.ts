import type { StepResources } from '@trellis/workflow-language/resources';
import { actionName, type PinnedAction, type SiteName } from '../domain/deployment.js';
import type { ActionSite, ActionVersionRef, SiteResources } from './site.js';

/** A pinned action of a project as `site` takes it: its image there, and the manifest's cpu and memory. */
export function actionRef(projectId: string, action: PinnedAction, site: SiteName): ActionVersionRef {
  const { cpu, memoryBytes, timeoutMs } = action.resources;
  const resources: SiteResources = { ...(cpu !== undefined ? { cpu } : {}), ...(memoryBytes !== undefined ? { memoryBytes } : {}) };
  return {
    projectId, actionId: action.actionId, version: action.version, digest: action.digest, artifactObject: action.artifactObject,
    artifactSize: action.artifactSize, kind: action.kind, runtime: action.runtime, inputs: action.inputs, outputs: action.outputs,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    site,
    ...(action.image ? { image: action.image } : {}),
    ...(Object.keys(resources).length > 0 ? { resources } : {}),
  };
}

/** The reference a step calls: its `resources` replace the manifest's cpu and memory, each on its own. */
export function withStepResources(ref: ActionVersionRef, step: StepResources | undefined): ActionVersionRef {
  if (step === undefined || (step.cpu === undefined && step.memoryBytes === undefined)) return ref;
  return { ...ref, resources: { ...ref.resources, ...step } };
}

/** The action versions of a version on `site` that no deployment uses any more. */
export type Released = { readonly site: SiteName; readonly actions: readonly PinnedAction[] };

/** Tells each site that no deployment uses these versions any more (after the change that stopped using them committed). */
export async function releaseActions(site: Pick<ActionSite, 'release'>, projectId: string, released: readonly Released[]): Promise<void> {
  const done = new Set<string>();
  for (const group of released) {
    for (const action of group.actions) {
      const key = `${group.site} ${actionName(action)}`;
      if (done.has(key)) continue;
      done.add(key);
      await site.release(actionRef(projectId, action, group.site));
    }
  }
}
