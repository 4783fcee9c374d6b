import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Deployment from '../domain/deployment.js';
import type { UnitOfWork } from './ports.js';

export type DeployIgnored = { readonly type: 'ProjectDeleted'; readonly projectId: string };

/**
 * Studio asks for a version to be deployed. In the handler's transaction: the version is kept
 * (once, however often it is delivered) and the deployment marked `deploying` with the request's
 * id; the preparation of its actions (seconds) runs after the commit, in the deployment job
 * (prepareDeployment), which a `deploying` deployment wakes. A request whose deployment id is
 * already recorded is a redelivery: nothing changes. A project the runner does not know yet
 * throws (retried until its announcement arrives); a deleted project's request is refused.
 */
export async function handleDeployRequested(
  deps: { uow: UnitOfWork },
  request: Deployment.DeployRequest,
): Promise<Result<{ outcome: 'deploying' | 'redelivered' }, DeployIgnored>> {
  return deps.uow(async (tx) => {
    const status = await tx.projects.statusForUpdate(request.projectId);
    if (status === 'deleted') return rejected({ type: 'ProjectDeleted', projectId: request.projectId } as const);
    if (status === 'unknown') throw new Error(`project ${request.projectId} is not known to the runner yet`);
    await tx.deployments.recordVersion({
      workflowId: request.workflowId, version: request.version, projectId: request.projectId, name: request.workflowName, checksum: request.checksum,
      documentJson: request.documentJson, actions: request.actions, files: request.files, site: request.site, receivedAt: request.requestedAt,
    });
    const next = Deployment.requestDeploy(await tx.deployments.findForUpdate(request.workflowId), request);
    if (next.outcome === 'deploying') await tx.deployments.save(next.deployment);
    return ok({ outcome: next.outcome });
  });
}
