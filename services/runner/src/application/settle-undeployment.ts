import type { Clock } from '@trellis/kernel/ports';
import * as Deployment from '../domain/deployment.js';
import { releaseActions } from './action-refs.js';
import type { UnitOfWork } from './ports.js';
import type { ActionSite } from './site.js';

/**
 * What happens to the runs in flight of a workflow being undeployed (a port: the engine owns
 * runs). `graceful` waits (bounded) until the workflow has no queued or running run, then cancels
 * what is left; `immediate` cancels them at once. Says how many it canceled.
 */
export type RunsInFlight = {
  settle: (deployment: Pick<Deployment.Deployment, 'projectId' | 'workflowId'>, mode: Deployment.UndeployMode) => Promise<{ canceled: number }>;
};

export type UndeploymentSettled =
  | { readonly outcome: 'undeployed'; readonly mode: Deployment.UndeployMode; readonly canceled: number }
  | { readonly outcome: 'superseded' };

/**
 * The deployment job's work for one `undeploying` deployment, outside any transaction: the
 * workflow's runs in flight are waited for or canceled (its mode), then, in one transaction, it
 * is `undeployed` and WorkflowUndeployed answers, and the action versions nothing uses any more
 * are released. A later request supersedes it (nothing written, nothing emitted). Safe to run
 * again after a restart, or on two replicas: only the first end is recorded.
 */
export async function settleUndeployment(
  deps: { uow: UnitOfWork; clock: Clock; runs: RunsInFlight; site: Pick<ActionSite, 'release'> },
  target: { workflowId: string; deploymentId: string },
): Promise<UndeploymentSettled> {
  const wanted = await deps.uow(async (tx) => {
    const current = await tx.deployments.findForUpdate(target.workflowId);
    return current?.deploymentId === target.deploymentId && current.status === 'undeploying' ? current : undefined;
  });
  if (!wanted) return { outcome: 'superseded' };
  const mode = wanted.mode ?? 'graceful';

  const { canceled } = await deps.runs.settle(wanted, mode);

  const ended = await deps.uow(async (tx) => {
    const current = await tx.deployments.findForUpdate(target.workflowId);
    if (current?.deploymentId !== target.deploymentId || current.status !== 'undeploying') return undefined;
    const settled = Deployment.settleUndeploy(current, deps.clock());
    await tx.deployments.save(settled.deployment);
    await tx.outbox.append([settled.event], current.traceId);
    // The version that served (the one answered) and any requested after it (a deploy being prepared when the undeploy came).
    const versions: Deployment.DeployedVersion[] = [];
    for (let version = current.version; ; version++) {
      const found = await tx.deployments.findVersion(current.workflowId, version);
      if (!found) break;
      versions.push(found);
    }
    const inUse = await tx.deployments.actionsInUse(current.projectId);
    return versions.map((version) => ({ site: version.site, actions: Deployment.unusedActions(version.actions, inUse) }));
  });
  if (!ended) return { outcome: 'superseded' };
  await releaseActions(deps.site, wanted.projectId, ended);
  return { outcome: 'undeployed', mode, canceled };
}
