import { templateReferences } from '@trellis/workflow-language/template';
import { actionName, type StaticFile } from '../domain/deployment.js';
import { describePlanError, planOf, type Plan } from '../domain/plan.js';
import { actionRef } from './action-refs.js';
import type { RunStore } from './run-store.js';
import type { ActionVersionRef } from './site.js';

/** A deployed version as runs use it: its plan, its actions as the site takes them, the secrets its inputs reference. */
export type RunnableVersion = {
  readonly plan: Plan;
  readonly actions: ReadonlyMap<string, ActionVersionRef>;
  readonly secrets: readonly string[];
  /** The uploaded files its document names (`{ "file": "<id>" }`), by id. */
  readonly files: ReadonlyMap<string, StaticFile>;
};

/**
 * Plans cached per (workflow, version): a version never changes once received, so it is read
 * and planned once per process. A failed read is not cached.
 */
export function makeVersionCache(store: Pick<RunStore, 'version'>) {
  const cache = new Map<string, Promise<RunnableVersion>>();
  const load = async (workflowId: string, version: number): Promise<RunnableVersion> => {
    const found = await store.version(workflowId, version);
    if (!found) throw new Error(`version ${version} of workflow ${workflowId} is not deployed on this runner`);
    const planned = planOf(JSON.parse(found.documentJson), found.actions.map((action) => ({ actionId: action.actionId, version: action.version, inputs: action.inputs })));
    if (!planned.ok) throw new Error(`version ${version} of workflow ${workflowId} cannot run: ${describePlanError(planned.error)}`);
    const secrets = new Set<string>();
    for (const step of planned.value.steps.values()) {
      for (const template of step.inputs.values()) {
        for (const reference of templateReferences(template)) if (reference.root === 'secrets' && typeof reference.path[0] === 'string') secrets.add(reference.path[0]);
      }
    }
    return {
      plan: planned.value,
      actions: new Map(found.actions.map((action) => [actionName(action), actionRef(found.projectId, action, found.site)])),
      secrets: [...secrets],
      files: new Map(found.files.map((file) => [file.id, file])),
    };
  };
  return (workflowId: string, version: number): Promise<RunnableVersion> => {
    const key = `${workflowId}@${version}`;
    let entry = cache.get(key);
    if (!entry) {
      entry = load(workflowId, version);
      cache.set(key, entry);
      entry.catch(() => cache.delete(key));
    }
    return entry;
  };
}
