import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Workflow from '../domain/workflow/workflow.js';
import type { UnitOfWork } from './ports.js';
import { workflowNotFound, type WorkflowNotFound } from './workflow-rejections.js';

/** Deletes a workflow with its versions; refused while the runner serves it (or is asked to). */
export async function deleteWorkflow(
  deps: { uow: UnitOfWork },
  input: { projectId: string; workflowId: string },
): Promise<Result<void, WorkflowNotFound | Workflow.WorkflowLive>> {
  return deps.uow(async (tx) => {
    const workflow = await tx.workflows.findForUpdate(input.projectId, input.workflowId);
    if (!workflow) return rejected(workflowNotFound);
    const deletable = Workflow.checkDeletable(workflow);
    if (!deletable.ok) return deletable;
    await tx.workflows.delete(input.projectId, input.workflowId);
    return ok(undefined);
  });
}
