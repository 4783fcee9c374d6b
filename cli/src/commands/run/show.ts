import { unwrap, type TrellisClient } from '@trellis/sdk';
import { CliError, EXIT } from '../../exit-codes.js';
import { colorStatus, colors, formatDuration, printFields, printJson, printLine, printTable } from '../../output.js';
import type { RunDetail, RunItem } from '../workflow/api-types.js';
import { explainRunNotFound, readRun } from './find.js';
import { runTree, type Items } from './tree.js';

export type RunListOptions = { workflow?: string; status?: RunItem['status']; limit: string; json?: boolean; quiet?: boolean };

/** A foreach step shows at most this many of its items. */
const ITEMS_SHOWN = 50;

const STATUSES: readonly RunItem['status'][] = ['queued', 'running', 'succeeded', 'failed', 'canceled'];

export async function listRuns(client: TrellisClient, options: RunListOptions): Promise<RunItem[]> {
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new CliError('usage', `--limit must be a whole number above 0, not "${options.limit}"`, { exitCode: EXIT.usage });
  if (options.status && !STATUSES.includes(options.status)) throw new CliError('usage', `--status must be one of ${STATUSES.join(', ')}`, { exitCode: EXIT.usage });
  const runs: RunItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await unwrap(client.GET('/runner/runs', { params: { query: {
      limit: Math.min(200, limit - runs.length), ...(options.workflow ? { workflow: options.workflow } : {}), ...(options.status ? { status: options.status } : {}), ...(cursor ? { cursor } : {}),
    } } }));
    runs.push(...page.items);
    cursor = page.next ?? undefined;
  } while (cursor && runs.length < limit);
  return runs;
}

export async function showRunList(client: TrellisClient, options: RunListOptions): Promise<void> {
  const runs = await listRuns(client, options);
  if (options.json) return printJson(runs);
  // Ids alone, one a line, for the shell: `trellis run logs "$(trellis run list -q --limit 1)"`.
  if (options.quiet) return runs.forEach((run) => printLine(run.id));
  printTable(['id', 'workflow', 'version', 'status', 'trigger', 'created', 'duration'], runs.map((run) => [
    run.id, run.workflow, `v${run.version}`, colorStatus(run.status), run.trigger, run.created_at, formatDuration(run.duration_ms),
  ]));
}

/** Each foreach step's items, read from their logs (the run's answer only counts them). */
async function itemsOf(client: TrellisClient, run: RunDetail): Promise<Items> {
  const foreach = [...run.steps, ...run.compensations].filter((step) => step.items);
  const entries = await Promise.all(foreach.map(async (step) => {
    const total = Math.min(ITEMS_SHOWN, Object.values(step.items ?? {}).reduce((sum, count) => sum + count, 0));
    const items = await Promise.all(Array.from({ length: total }, async (_, index) => {
      const logs = await unwrap(client.GET('/runner/runs/{id}/steps/{step}/logs', { params: { path: { id: run.id, step: `${step.id}[${index}]` } } }));
      return { index, attempts: logs.attempts };
    }));
    return [step.id, items] as const;
  }));
  return new Map(entries);
}

export function printResults(run: RunDetail | RunItem): void {
  if (run.results && Object.keys(run.results).length > 0) {
    printLine(colors.bold('Results'));
    printLine(JSON.stringify(run.results, null, 2));
  }
  if (run.error) printLine(`${colors.bold('Error')} ${colors.red(`${run.error.code}: ${run.error.message}`)}`);
}

export async function showRun(client: TrellisClient, id: string, options: { json?: boolean }): Promise<void> {
  const run = await readRun(client, id);
  if (options.json) return printJson(run);
  const items = await itemsOf(client, run).catch(explainRunNotFound(id));
  printFields([
    ['workflow', `${run.workflow} v${run.version} (${run.workflow_id})`], ['trigger', run.trigger], ['created', run.created_at],
    ['started', run.started_at], ['finished', run.finished_at], ...(run.rerun_of ? [['rerun of', run.rerun_of] as const] : []),
  ]);
  printLine();
  for (const line of runTree(run, items)) printLine(line);
  printLine();
  printResults(run);
}
