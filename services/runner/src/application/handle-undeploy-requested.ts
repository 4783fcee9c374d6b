import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Deployment from '../domain/deployment.js';
import type { UnitOfWork } from './ports.js';

export type UndeployIgnored = { readonly type: 'ProjectDeleted'; readonly projectId: string };

/**
 * Studio asks to stop serving a workflow: in the inbox transaction, and nothing more, it becomes
 * `undeploying` with no serving version, so no new run starts from this commit on (the engine
 * checks the serving version when it creates a run). The runs in flight are then waited for or
 * canceled by the deployment job, outside any transaction (settleUndeployment), which answers
 * WorkflowUndeployed. A redelivered request changes nothing; a workflow the runner never heard of
 * is refused (logged: there is no version to answer with).
 */
export async function handleUndeployRequested(
  deps: { uow: UnitOfWork },
  request: Deployment.UndeployRequest,
): Promise<Result<{ outcome: 'undeploying' | 'redelivered' | 'unknown' }, UndeployIgnored>> {
  return deps.uow(async (tx) => {
    const status = await tx.projects.statusForUpdate(request.projectId);
    if (status === 'deleted') return rejected({ type: 'ProjectDeleted', projectId: request.projectId } as const);
    if (status === 'unknown') throw new Error(`project ${request.projectId} is not known to the runner yet`);
    const current = await tx.deployments.findForUpdate(request.workflowId);
    const next = Deployment.requestUndeploy(current, request);
    if (next.outcome !== 'undeploying') return ok({ outcome: next.outcome });
    await tx.deployments.save(next.deployment);
    // No tick fires from this commit on, as no other run starts.
    await tx.schedules.remove(request.workflowId);
    return ok({ outcome: 'undeploying' as const });
  });
}
