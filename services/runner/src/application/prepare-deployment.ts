import type { Clock } from '@trellis/kernel/ports';
import * as Deployment from '../domain/deployment.js';
import { notRunnableYet } from '../domain/runnable.js';
import * as Schedule from '../domain/schedule.js';
import { actionRef, releaseActions } from './action-refs.js';
import type { ScheduleRepository, UnitOfWork } from './ports.js';
import type { ActionSite } from './site.js';

export type PreparationOutcome = 'deployed' | 'failed' | 'superseded';

/**
 * The deployment job's work for one `deploying` deployment, outside any transaction: every
 * pinned action is prepared on the site (fetched, checked, started), then, in one transaction,
 * the workflow switches to the new version (`active`, WorkflowDeployed) or keeps the version it
 * served (`failed`, WorkflowDeployFailed with the reason), and the action versions nothing uses
 * any more are released. An HTTP path another workflow of the project serves fails the deploy.
 * A later request (deploy or undeploy) supersedes the preparation: nothing is written, nothing
 * emitted. Safe to run twice (after a restart, or on two replicas): the site's prepare is
 * idempotent and only the first end is recorded. A failure of the world throws; the deployment
 * stays `deploying` and the job tries again.
 */
export async function prepareDeployment(
  deps: { uow: UnitOfWork; site: Pick<ActionSite, 'prepare' | 'release'>; clock: Clock },
  target: { workflowId: string; deploymentId: string },
): Promise<{ outcome: PreparationOutcome }> {
  const wanted = await deps.uow(async (tx) => {
    const current = await tx.deployments.findForUpdate(target.workflowId);
    if (!Deployment.stillDeploying(current, target.deploymentId)) return undefined;
    const version = await tx.deployments.findVersion(current.workflowId, current.version);
    if (!version) throw new Error(`version ${current.version} of workflow ${current.workflowId} is not recorded`);
    return version;
  });
  if (!wanted) return { outcome: 'superseded' };

  const unsupported = notRunnableYet(wanted.documentJson);
  const results = unsupported ? [] : await Promise.all(wanted.actions.map(async (action) => ({ action, result: await deps.site.prepare(actionRef(wanted.projectId, action, wanted.site)) })));
  const firstFailure = results.find(({ result }) => !result.ok);
  const prepared = unsupported
    ? { ok: false as const, reason: unsupported }
    : firstFailure && !firstFailure.result.ok
      ? { ok: false as const, reason: `action ${Deployment.actionName(firstFailure.action)}: ${firstFailure.result.error.reason}` }
      : { ok: true as const };

  const ended = await deps.uow(async (tx) => {
    // The project's lock first (as the request handlers take it): two workflows cannot claim one path at once.
    await tx.projects.statusForUpdate(wanted.projectId);
    const current = await tx.deployments.findForUpdate(target.workflowId);
    if (!Deployment.stillDeploying(current, target.deploymentId)) return { outcome: 'superseded' as const, release: [] };
    const previous = current.servingVersion !== null && current.servingVersion !== current.version
      ? await tx.deployments.findVersion(current.workflowId, current.servingVersion) : undefined;
    const trigger = Deployment.triggerOf(wanted.documentJson);
    const servedBy = prepared.ok && trigger.httpPath !== null ? await tx.deployments.servingPath(current.projectId, trigger.httpPath, current.workflowId) : undefined;
    const settled = Deployment.settleDeploy(current, prepared, trigger, servedBy, deps.clock(), wanted.site);
    await tx.deployments.save(settled.deployment);
    if (settled.deployment.status === 'active') await keepSchedule(tx.schedules, settled.deployment, wanted.documentJson, deps.clock());
    await tx.outbox.append([settled.event], current.traceId);
    const candidates = settled.deployment.status === 'active' ? previous : wanted;
    const release = candidates ? [{ site: candidates.site, actions: Deployment.unusedActions(candidates.actions, await tx.deployments.actionsInUse(current.projectId)) }] : [];
    return { outcome: settled.deployment.status === 'active' ? 'deployed' as const : 'failed' as const, release };
  });
  await releaseActions(deps.site, wanted.projectId, ended.release);
  return { outcome: ended.outcome };
}

/** The schedule goes with the version that serves: saved with a schedule trigger (its ticks kept on the same cron), removed otherwise. */
async function keepSchedule(schedules: ScheduleRepository, serving: Deployment.Deployment, documentJson: string, now: Date): Promise<void> {
  const trigger = Schedule.scheduleTriggerOf(documentJson);
  if (!trigger) {
    await schedules.remove(serving.workflowId);
    return;
  }
  await schedules.save(Schedule.serve(await schedules.find(serving.workflowId), { workflowId: serving.workflowId, projectId: serving.projectId, version: serving.version }, trigger, now));
}
