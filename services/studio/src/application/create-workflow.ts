import type { Clock, Ids } from '@trellis/kernel/ports';
import type { JsonValue } from '@trellis/kernel/io';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import type { Problem } from '../domain/workflow/validate.js';
import * as Workflow from '../domain/workflow/workflow.js';
import type { UnitOfWork } from './ports.js';
import { projectNotKnown, type ProjectNotKnown } from './project-value-rejections.js';
import { prepareDraft } from './workflow-drafts.js';
import type { WorkflowNameTaken } from './workflow-rejections.js';

export type SavedWorkflow = { readonly workflow: Workflow.Workflow; readonly problems: readonly Problem[] };

/** A new workflow from a document; its problems are saved with the draft and reported. */
export async function createWorkflow(
  deps: { uow: UnitOfWork; clock: Clock; ids: Ids },
  input: { projectId: string; document: JsonValue; by: string },
): Promise<Result<SavedWorkflow, Workflow.WorkflowUnsavable | WorkflowNameTaken | ProjectNotKnown>> {
  return deps.uow(async (tx) => {
    if ((await tx.projects.statusOf(input.projectId)) !== 'known') return rejected(projectNotKnown);
    const draft = await prepareDraft(tx, input.projectId, input.document, undefined);
    if (!draft.ok) return draft;
    const workflow = Workflow.create({ id: deps.ids(), projectId: input.projectId, name: draft.value.name, document: draft.value.document, by: input.by, now: deps.clock() });
    if (!(await tx.workflows.insert(workflow))) return rejected({ type: 'WorkflowNameTaken', name: workflow.name } as const);
    return ok({ workflow, problems: draft.value.problems });
  });
}
