import type { Clock, Ids } from '@trellis/kernel/ports';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Workflow from '../domain/workflow/workflow.js';
import type { UnitOfWork } from './ports.js';
import { workflowNotFound, type WorkflowNotFound } from './workflow-rejections.js';

/** Asks the runner to stop serving the workflow; WorkflowUndeployRequested commits with the new state. */
export async function undeployWorkflow(
  deps: { uow: UnitOfWork; clock: Clock; ids: Ids },
  input: { projectId: string; workflowId: string; mode: Workflow.UndeployMode; by: string; traceId: string },
): Promise<Result<{ workflow: Workflow.Workflow }, WorkflowNotFound | Workflow.NotDeployed>> {
  return deps.uow(async (tx) => {
    const workflow = await tx.workflows.findForUpdate(input.projectId, input.workflowId);
    if (!workflow) return rejected(workflowNotFound);
    const requested = Workflow.requestUndeploy(workflow, { deploymentId: deps.ids(), mode: input.mode, by: input.by, now: deps.clock() });
    if (!requested.ok) return requested;
    await tx.workflows.update(requested.value.workflow);
    await tx.outbox.append(requested.value.events, input.traceId);
    return ok({ workflow: requested.value.workflow });
  });
}
