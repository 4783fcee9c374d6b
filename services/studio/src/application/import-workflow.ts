import type { Clock, Ids } from '@trellis/kernel/ports';
import type { JsonValue } from '@trellis/kernel/io';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Workflow from '../domain/workflow/workflow.js';
import type { SavedWorkflow } from './create-workflow.js';
import type { UnitOfWork } from './ports.js';
import { projectNotKnown, type ProjectNotKnown } from './project-value-rejections.js';
import { saveDraft } from './replace-draft.js';
import { prepareDraft } from './workflow-drafts.js';
import { workflowNotFound, type WorkflowNameTaken, type WorkflowNotFound } from './workflow-rejections.js';

const nameIn = (raw: JsonValue): string | undefined =>
  typeof raw === 'object' && raw !== null && !Array.isArray(raw) && typeof raw['name'] === 'string' ? raw['name'] : undefined;

/**
 * A document from a file: the new draft of the workflow of that name, or a new workflow when the
 * project has none of that name. With `workflowId`, the new draft of that workflow instead
 * (renamed after the document when the name is free).
 */
export async function importWorkflow(
  deps: { uow: UnitOfWork; clock: Clock; ids: Ids },
  input: { projectId: string; document: JsonValue; workflowId?: string | undefined; by: string },
): Promise<Result<SavedWorkflow & { created: boolean }, Workflow.WorkflowUnsavable | WorkflowNameTaken | WorkflowNotFound | ProjectNotKnown>> {
  return deps.uow(async (tx) => {
    if ((await tx.projects.statusOf(input.projectId)) !== 'known') return rejected(projectNotKnown);
    const name = nameIn(input.document);
    const existing = input.workflowId !== undefined
      ? await tx.workflows.findForUpdate(input.projectId, input.workflowId)
      : name === undefined ? undefined : await tx.workflows.findByNameForUpdate(input.projectId, name);
    if (input.workflowId !== undefined && !existing) return rejected(workflowNotFound);
    const now = deps.clock();
    if (existing) {
      const saved = await saveDraft(tx, existing, input.document, input.by, now);
      return saved.ok ? ok({ ...saved.value, created: false }) : saved;
    }
    const draft = await prepareDraft(tx, input.projectId, input.document, undefined);
    if (!draft.ok) return draft;
    const workflow = Workflow.create({ id: deps.ids(), projectId: input.projectId, name: draft.value.name, document: draft.value.document, by: input.by, now });
    if (!(await tx.workflows.insert(workflow))) return rejected({ type: 'WorkflowNameTaken', name: workflow.name } as const);
    return ok({ workflow, problems: draft.value.problems, created: true });
  });
}
