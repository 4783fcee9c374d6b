import type { Clock } from '@trellis/kernel/ports';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Deployment from '../domain/deployment.js';
import { releaseActions } from './action-refs.js';
import type { UnitOfWork } from './ports.js';
import type { ActionSite } from './site.js';

export type UndeployIgnored = { readonly type: 'ProjectDeleted'; readonly projectId: string };

/**
 * What happens to the runs in flight of a workflow being undeployed: `graceful` waits for them
 * (bounded), `immediate` cancels them. A port because the engine owns runs.
 *
 * SEAM: no run exists yet (the engine comes next), so today's adapter resolves at once. Once it
 * really waits, the wait must leave the inbox transaction: `undeploying` becomes durable work of
 * the deployment job, as `deploying` is, and the second step below checks that the deployment
 * is still `undeploying` with this request's id (it already does).
 */
export type RunsInFlight = {
  settle: (deployment: Pick<Deployment.Deployment, 'projectId' | 'workflowId'>, mode: Deployment.UndeployMode) => Promise<void>;
};

async function waitForRunsInFlight(runs: RunsInFlight, deployment: Deployment.Deployment, mode: Deployment.UndeployMode): Promise<void> {
  await runs.settle(deployment, mode);
}

/**
 * Studio asks to stop serving a workflow: it accepts no new run at once (`undeploying`, no
 * serving version: the engine checks it), its runs in flight are waited for or canceled, then it
 * is `undeployed` and WorkflowUndeployed answers (in both modes), and the action versions no
 * deployment uses any more are released. A redelivered request changes nothing; a workflow the
 * runner never heard of is refused (logged: there is no version to answer with).
 */
export async function handleUndeployRequested(
  deps: { uow: UnitOfWork; clock: Clock; runs: RunsInFlight; site: Pick<ActionSite, 'release'> },
  request: Deployment.UndeployRequest,
): Promise<Result<{ outcome: 'undeployed' | 'redelivered' | 'unknown' | 'superseded' }, UndeployIgnored>> {
  type Marked = { outcome: 'redelivered' | 'unknown' } | { outcome: 'undeploying'; deployment: Deployment.Deployment; actions: Deployment.PinnedAction[] };
  const marked = await deps.uow(async (tx): Promise<Result<Marked, UndeployIgnored>> => {
    const status = await tx.projects.statusForUpdate(request.projectId);
    if (status === 'deleted') return rejected({ type: 'ProjectDeleted', projectId: request.projectId } as const);
    if (status === 'unknown') throw new Error(`project ${request.projectId} is not known to the runner yet`);
    const current = await tx.deployments.findForUpdate(request.workflowId);
    const next = Deployment.requestUndeploy(current, request);
    if (next.outcome !== 'undeploying' || !current) return ok({ outcome: next.outcome === 'undeploying' ? 'unknown' : next.outcome });
    await tx.deployments.save(next.deployment);
    // Both the version that served and one being deployed may leave the site.
    const versions = [...new Set([current.servingVersion, current.version].filter((v): v is number => v !== null))];
    const found = await Promise.all(versions.map((version) => tx.deployments.findVersion(current.workflowId, version)));
    return ok({ outcome: next.outcome, deployment: next.deployment, actions: found.flatMap((version) => version?.actions ?? []) });
  });
  if (!marked.ok) return marked;
  if (marked.value.outcome !== 'undeploying') return ok({ outcome: marked.value.outcome });
  const { deployment, actions } = marked.value;

  await waitForRunsInFlight(deps.runs, deployment, request.mode);

  const ended = await deps.uow(async (tx) => {
    const current = await tx.deployments.findForUpdate(request.workflowId);
    if (current?.deploymentId !== request.deploymentId || current.status !== 'undeploying') return { outcome: 'superseded' as const, release: [] };
    const settled = Deployment.settleUndeploy(current, deps.clock());
    await tx.deployments.save(settled.deployment);
    await tx.outbox.append([settled.event], request.traceId);
    return { outcome: 'undeployed' as const, release: Deployment.unusedActions(actions, await tx.deployments.actionsInUse(current.projectId)) };
  });
  await releaseActions(deps.site, request.projectId, ended.release);
  return ok({ outcome: ended.outcome });
}
