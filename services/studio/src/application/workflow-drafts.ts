import type { JsonValue } from '@trellis/kernel/io';
import { ok, type Result } from '@trellis/kernel/result';
import { canonicalDocument } from '@trellis/workflow-language/canonical';
import { actionReferences, splitActionReference } from '@trellis/workflow-language/document';
import type { LibraryAction } from '../domain/library-action.js';
import { pinToNewest, uploadedFileIds } from '../domain/workflow/pins.js';
import { validateWorkflow, type Problem, type ValidationContext } from '../domain/workflow/validate.js';
import * as Workflow from '../domain/workflow/workflow.js';
import type { Transaction } from './ports.js';

/**
 * What the validator needs to know of the project for `document`: the library's versions of the
 * actions it names (newest build first), the variables, the secrets' names, the HTTP paths of
 * the other workflows (`exceptId` is the workflow being edited: its own path is not taken), and
 * which of the uploaded files it names the project has.
 */
export async function validationContext(tx: Transaction, projectId: string, document: JsonValue, exceptId: string | undefined): Promise<ValidationContext> {
  const ids = [...new Set(actionReferences(document).map(({ reference }) => splitActionReference(reference).id))];
  const library = ids.length > 0 ? await tx.library.versionsOf(projectId, ids) : [];
  const variables = await tx.variables.all(projectId);
  const secrets = await tx.secrets.names(projectId);
  const httpPathsTaken = await tx.workflows.httpPaths(projectId, exceptId);
  const fileIds = [...new Set(uploadedFileIds(document))];
  const files = fileIds.length > 0 ? await tx.files.existing(projectId, fileIds) : [];
  const byId = new Map<string, LibraryAction[]>();
  for (const action of library) byId.set(action.actionId, [...(byId.get(action.actionId) ?? []), action]);
  return {
    versionsOf: (id) => byId.get(id) ?? [],
    variables: new Map(variables.map(({ name, value }) => [name, value])),
    secrets: new Set(secrets),
    httpPathsTaken,
    files: new Set(files),
  };
}

/** The document pinned to the newest builds the library has, with every problem it then has. */
export async function pinnedAndChecked(tx: Transaction, projectId: string, document: JsonValue, exceptId: string | undefined): Promise<{ document: JsonValue; problems: Problem[] }> {
  const context = await validationContext(tx, projectId, document, exceptId);
  const pinned = pinToNewest(document, (id) => context.versionsOf(id)[0]?.version);
  return { document: pinned, problems: validateWorkflow(pinned, context) };
}

export type Draft = { readonly name: string; readonly document: JsonValue; readonly problems: readonly Problem[] };

/**
 * A document as it is saved: canonical, `action: id` pinned to the newest built version, with
 * its problems (kept with the draft). Only a document without a valid name cannot be saved.
 */
export async function prepareDraft(tx: Transaction, projectId: string, raw: JsonValue, exceptId: string | undefined): Promise<Result<Draft, Workflow.WorkflowUnsavable>> {
  const { document, problems } = await pinnedAndChecked(tx, projectId, canonicalDocument(raw), exceptId);
  const name = Workflow.draftName(document, problems);
  if (!name.ok) return name;
  return ok({ name: name.value, document, problems });
}
