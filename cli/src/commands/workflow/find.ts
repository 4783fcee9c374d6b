import { TrellisApiError, unwrap, type paths, type TrellisClient } from '@trellis/sdk';
import { CliError, EXIT } from '../../exit-codes.js';
import { allItems } from '../../pages.js';
import type { WorkflowSummary } from './api-types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const workflowNotFound = (nameOrId: string) =>
  new CliError('workflow_not_found', `no workflow "${nameOrId}" in this project`, { exitCode: EXIT.notFound, hint: 'list them with `trellis workflow list`' });

export type WorkflowQuery = Omit<NonNullable<paths['/studio/workflows']['get']['parameters']['query']>, 'limit' | 'cursor'>;

export async function listWorkflows(client: TrellisClient, query: WorkflowQuery = {}): Promise<WorkflowSummary[]> {
  return allItems((cursor) => unwrap(client.GET('/studio/workflows', { params: { query: { limit: 200, ...query, ...(cursor ? { cursor } : {}) } } })));
}

/** The workflow named, by its name (what people type) or its id. */
export async function findWorkflow(client: TrellisClient, nameOrId: string): Promise<WorkflowSummary> {
  const candidates = await listWorkflows(client, UUID.test(nameOrId) ? {} : { search: nameOrId });
  const found = candidates.find((workflow) => workflow.id === nameOrId.toLowerCase()) ?? candidates.find((workflow) => workflow.name === nameOrId);
  if (!found) throw workflowNotFound(nameOrId);
  return found;
}

/** The workflow of a document's name, if the project has one (a file of an existing workflow is its next draft). */
export async function workflowNamed(client: TrellisClient, name: string | undefined): Promise<WorkflowSummary | undefined> {
  if (!name) return undefined;
  return (await listWorkflows(client, { search: name })).find((workflow) => workflow.name === name);
}

/** A 404 of the workflow, read after it was found (deleted meanwhile), says where the names are. */
export function rethrowWorkflowNotFound(nameOrId: string) {
  return (error: unknown): never => {
    if (error instanceof TrellisApiError && error.code === 'workflow_not_found') throw workflowNotFound(nameOrId);
    throw error;
  };
}
