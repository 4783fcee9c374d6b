import { unwrap, type TrellisClient } from '@trellis/sdk';
import { colorStatus, colors, printFields, printJson, printLine, printTable } from '../../output.js';
import { allItems } from '../../pages.js';
import type { WorkflowSummary, WorkflowView } from './api-types.js';
import { findWorkflow, listWorkflows, rethrowWorkflowNotFound, type WorkflowQuery } from './find.js';

type JsonOption = { json?: boolean };
export type ListOptions = JsonOption & WorkflowQuery;

/** `deployed v2`, `failed v3 (serving v2)`, `-` for never deployed. */
export function deploymentText(deployment: WorkflowSummary['deployment']): string {
  if (!deployment) return '-';
  const serving = deployment.serving_version !== null && deployment.serving_version !== deployment.version ? ` (serving v${deployment.serving_version})` : '';
  return `${colorStatus(deployment.status)} v${deployment.version}${serving}`;
}

export async function showWorkflowList(client: TrellisClient, options: ListOptions): Promise<void> {
  const workflows = await listWorkflows(client, { ...(options.search ? { search: options.search } : {}), ...(options.status ? { status: options.status } : {}) });
  if (options.json) return printJson(workflows);
  printTable(['name', 'trigger', 'steps', 'latest', 'deployment', 'updated'], workflows.map((workflow) => [
    workflow.name, workflow.trigger_type === 'http' && workflow.http_path ? `http /${workflow.http_path}` : workflow.trigger_type, workflow.step_count,
    workflow.latest_version === null ? '-' : `v${workflow.latest_version}`, deploymentText(workflow.deployment), workflow.updated_at,
  ]));
}

type Step = { id?: unknown; action?: unknown; wait?: { signal?: unknown }; needs?: unknown; foreach?: unknown };

function stepRows(steps: unknown): unknown[][] {
  if (!Array.isArray(steps)) return [];
  return (steps as Step[]).map((step) => [
    step.id, step.action ?? (step.wait ? `wait for ${String(step.wait.signal)}` : '-'),
    Array.isArray(step.needs) ? step.needs.join(', ') : '-', step.foreach === undefined ? '' : 'foreach',
  ]);
}

function printWorkflow(workflow: WorkflowView, versions: readonly { version: number; created_at: string }[]): void {
  const trigger = workflow.trigger as { type?: string; path?: string; cron?: string } | undefined;
  printFields([
    ['id', workflow.id], ['name', workflow.name], ['title', workflow.title], ['description', workflow.description],
    ['trigger', trigger ? [trigger.type, trigger.path ? `/${trigger.path}` : trigger.cron].filter(Boolean).join(' ') : '-'],
    ['valid', workflow.valid ? colors.green('yes') : colors.red(`no (${workflow.problems.length} problems)`)],
    ['latest version', workflow.latest_version === null ? 'none (never deployed)' : `v${workflow.latest_version}`],
    ['deployment', deploymentText(workflow.deployment)],
    ...(workflow.deployment?.reason ? [['reason', workflow.deployment.reason] as const] : []),
    ['updated', `${workflow.updated_at} by ${workflow.updated_by}`],
  ]);
  printLine();
  printLine(colors.bold('Steps'));
  printTable(['id', 'action', 'needs', ''], stepRows(workflow.steps));
  if (workflow.problems.length > 0) {
    printLine();
    printLine(colors.bold('Problems'));
    printTable(['path', 'code', 'message'], workflow.problems.map((problem) => [problem.path || '(document)', problem.code, problem.message]));
  }
  printLine();
  printLine(colors.bold(`Versions (${versions.length})`));
  printTable(['version', 'created'], versions.map((version) => [`v${version.version}`, version.created_at]));
}

export async function showWorkflow(client: TrellisClient, nameOrId: string, options: JsonOption): Promise<void> {
  const { id } = await findWorkflow(client, nameOrId);
  const workflow = await unwrap(client.GET('/studio/workflows/{id}', { params: { path: { id } } })).catch(rethrowWorkflowNotFound(nameOrId));
  if (options.json) return printJson(workflow);
  const versions = await allItems((cursor) => unwrap(client.GET('/studio/workflows/{id}/versions', { params: { path: { id }, query: { limit: 200, ...(cursor ? { cursor } : {}) } } })));
  printWorkflow(workflow, versions);
}
