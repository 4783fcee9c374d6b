import type { Clock } from '@trellis/kernel/ports';
import type { JsonValue } from '@trellis/kernel/io';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import { mergePatch } from '../domain/workflow/merge-patch.js';
import * as Workflow from '../domain/workflow/workflow.js';
import type { SavedWorkflow } from './create-workflow.js';
import type { Transaction, UnitOfWork } from './ports.js';
import { prepareDraft } from './workflow-drafts.js';
import { workflowNotFound, type WorkflowNameTaken, type WorkflowNotFound } from './workflow-rejections.js';

type Rejection = WorkflowNotFound | Workflow.WorkflowUnsavable | WorkflowNameTaken;

/** Saves `raw` as the workflow's draft (renaming it when the name changed and is free). */
export async function saveDraft(tx: Transaction, workflow: Workflow.Workflow, raw: JsonValue, by: string, now: Date): Promise<Result<SavedWorkflow, Rejection>> {
  const draft = await prepareDraft(tx, workflow.projectId, raw, workflow.id);
  if (!draft.ok) return draft;
  const changed = Workflow.replaceDraft(workflow, { name: draft.value.name, document: draft.value.document, by, now });
  if (!(await tx.workflows.update(changed))) return rejected({ type: 'WorkflowNameTaken', name: changed.name } as const);
  return ok({ workflow: changed, problems: draft.value.problems });
}

/** PUT: the draft replaced by a whole document. */
export async function replaceDraft(
  deps: { uow: UnitOfWork; clock: Clock },
  input: { projectId: string; workflowId: string; document: JsonValue; by: string },
): Promise<Result<SavedWorkflow, Rejection>> {
  return deps.uow(async (tx) => {
    const workflow = await tx.workflows.findForUpdate(input.projectId, input.workflowId);
    if (!workflow) return rejected(workflowNotFound);
    return saveDraft(tx, workflow, input.document, input.by, deps.clock());
  });
}

/** PATCH: the draft changed by a JSON merge patch (RFC 7396). */
export async function patchDraft(
  deps: { uow: UnitOfWork; clock: Clock },
  input: { projectId: string; workflowId: string; patch: JsonValue; by: string },
): Promise<Result<SavedWorkflow, Rejection>> {
  return deps.uow(async (tx) => {
    const workflow = await tx.workflows.findForUpdate(input.projectId, input.workflowId);
    if (!workflow) return rejected(workflowNotFound);
    return saveDraft(tx, workflow, mergePatch(workflow.document, input.patch), input.by, deps.clock());
  });
}
