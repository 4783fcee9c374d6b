import type { Clock } from '@trellis/kernel/ports';
import * as Workflow from '../domain/workflow/workflow.js';
import type { UnitOfWork } from './ports.js';

/** The runner's answer to a deploy or undeploy request, recorded unless stale (or about a workflow deleted since). */
export async function recordDeployAnswer(
  deps: { uow: UnitOfWork; clock: Clock },
  answer: Workflow.DeployAnswer,
): Promise<{ outcome: Workflow.AnswerOutcome | 'unknown_workflow' }> {
  return deps.uow(async (tx) => {
    const workflow = await tx.workflows.findForUpdate(answer.projectId, answer.workflowId);
    if (!workflow) return { outcome: 'unknown_workflow' as const };
    const recorded = Workflow.recordAnswer(workflow, answer, deps.clock());
    if (recorded.outcome === 'applied') await tx.workflows.update(recorded.workflow);
    return { outcome: recorded.outcome };
  });
}
