import type { JsonValue } from '@trellis/kernel/io';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import { validateWorkflow, type Problem } from '../domain/workflow/validate.js';
import type * as Workflow from '../domain/workflow/workflow.js';
import type { UnitOfWork } from './ports.js';
import { validationContext } from './workflow-drafts.js';
import { workflowNotFound, type WorkflowNotFound, type WorkflowVersionNotFound } from './workflow-rejections.js';

/*
 * What reading a workflow needs beyond its row: its problems now (the library, the variables
 * and the other workflows change under a draft), and its documents as files.
 */

/** Every problem of a document in the project, as it stands (`exceptId`: the workflow it is the draft of). */
export async function validateDocument(
  deps: { uow: UnitOfWork },
  input: { projectId: string; document: JsonValue; exceptId?: string | undefined },
): Promise<{ problems: Problem[] }> {
  return deps.uow(async (tx) => ({ problems: validateWorkflow(input.document, await validationContext(tx, input.projectId, input.document, input.exceptId)) }));
}

/** The workflow with the problems of its draft, recomputed. */
export async function getWorkflow(
  deps: { uow: UnitOfWork },
  input: { projectId: string; workflowId: string },
): Promise<Result<{ workflow: Workflow.Workflow; problems: Problem[] }, WorkflowNotFound>> {
  return deps.uow(async (tx) => {
    const workflow = await tx.workflows.find(input.projectId, input.workflowId);
    if (!workflow) return rejected(workflowNotFound);
    const context = await validationContext(tx, input.projectId, workflow.document, workflow.id);
    return ok({ workflow, problems: validateWorkflow(workflow.document, context) });
  });
}

export async function getVersion(
  deps: { uow: UnitOfWork },
  input: { projectId: string; workflowId: string; version: number },
): Promise<Result<Workflow.WorkflowVersion, WorkflowNotFound | WorkflowVersionNotFound>> {
  return deps.uow(async (tx) => {
    if (!(await tx.workflows.find(input.projectId, input.workflowId))) return rejected(workflowNotFound);
    const version = await tx.workflowVersions.find(input.projectId, input.workflowId, input.version);
    return version ? ok(version) : rejected({ type: 'WorkflowVersionNotFound', version: input.version } as const);
  });
}

/** The document to write as a file: the draft, or a frozen version; `name` names the file. */
export async function exportWorkflow(
  deps: { uow: UnitOfWork },
  input: { projectId: string; workflowId: string; version?: number | undefined },
): Promise<Result<{ name: string; document: JsonValue }, WorkflowNotFound | WorkflowVersionNotFound>> {
  return deps.uow(async (tx) => {
    const workflow = await tx.workflows.find(input.projectId, input.workflowId);
    if (!workflow) return rejected(workflowNotFound);
    if (input.version === undefined) return ok({ name: workflow.name, document: workflow.document });
    const version = await tx.workflowVersions.find(input.projectId, input.workflowId, input.version);
    if (!version) return rejected({ type: 'WorkflowVersionNotFound', version: input.version } as const);
    const document = version.document;
    const name = typeof document === 'object' && document !== null && !Array.isArray(document) && typeof document['name'] === 'string' ? document['name'] : workflow.name;
    return ok({ name, document });
  });
}
