import { TrellisApiError, unwrap, waitForRun, type TrellisClient } from '@trellis/sdk';
import { CliError } from '../../exit-codes.js';
import { colorStatus, colors, note, printJson, printLine } from '../../output.js';
import type { RunDetail, RunStarted } from '../workflow/api-types.js';
import { findWorkflow } from '../workflow/find.js';
import { makeProgress } from '../../progress.js';
import { timeoutMs } from '../../wait.js';
import { explainRunNotFound } from './find.js';
import { inputsForm, parseFiles, parseInputs } from './inputs.js';
import { printResults } from './show.js';

export type WaitOptions = { wait?: boolean; timeout: string; json?: boolean };
export type StartOptions = WaitOptions & { input?: string[]; file?: string[] };
export type RerunOptions = WaitOptions & { fromFailed?: boolean };

/** Follows the run on stderr, one line (or bar) per step, until it ends; the run as it ended. */
async function followRun(client: TrellisClient, runId: string, limitMs: number): Promise<RunDetail> {
  const progress = makeProgress();
  try {
    return await waitForRun(client, runId, {
      timeoutMs: limitMs, intervalMs: 300,
      onUpdate: (run) => {
        for (const step of run.steps) {
          if (step.status === 'pending') continue;
          const items = step.items ? ` (${Object.entries(step.items).map(([status, count]) => `${count} ${status}`).join(', ')})` : '';
          const attempt = step.attempts.length > 1 ? ` (attempt ${step.attempts.length})` : '';
          progress.update(step.id, `${step.status}${items}${attempt}`, ['succeeded', 'failed', 'skipped', 'canceled'].includes(step.status));
        }
      },
    }).catch((error: unknown) => {
      if (error instanceof Error && /had not finished after/.test(error.message)) {
        throw new CliError('timeout', `the run ${runId} had not finished after ${limitMs / 1000} s`, { hint: `it goes on: \`trellis run show ${runId}\`; wait longer with --timeout SECONDS` });
      }
      throw error;
    });
  } finally {
    progress.stop();
  }
}

/** What a started run prints: its id (with --wait, how it ended and its results; exit 1 unless it succeeded). */
async function started(client: TrellisClient, answer: RunStarted, what: string, options: WaitOptions): Promise<void> {
  if (!options.wait) {
    if (options.json) return printJson(answer);
    printLine(answer.run_id);
    note(`${what}: follow it with \`trellis run logs ${answer.run_id} --follow\` or \`trellis run show ${answer.run_id}\``);
    return;
  }
  note(`${what}: run ${answer.run_id}`);
  const run = await followRun(client, answer.run_id, timeoutMs(options.timeout));
  if (options.json) printJson(run);
  else {
    printLine(`Run ${colors.bold(run.id)} ${colorStatus(run.status)}`);
    printResults(run);
  }
  if (run.status !== 'succeeded') {
    const cause = run.error ? `: ${run.error.code}: ${run.error.message}` : '';
    throw new CliError(`run_${run.status}`, `the run ${run.id} ${run.status}${cause}`, { hint: `see \`trellis run show ${run.id}\` and \`trellis run logs ${run.id}\`` });
  }
}

export async function startRun(client: TrellisClient, workflowName: string, options: StartOptions): Promise<void> {
  const inputs = parseInputs(options.input);
  const files = parseFiles(options.file);
  const limit = timeoutMs(options.timeout);
  const workflow = await findWorkflow(client, workflowName);
  const path = { id: workflow.id };
  // With files, the inputs go as a multipart form (the runner stores the files under the run).
  const form = Object.keys(files).length > 0 ? await inputsForm(inputs, files) : undefined;
  const request = form
    ? client.POST('/runner/workflows/{id}/runs', { params: { path }, body: { inputs: {} }, bodySerializer: () => form })
    : client.POST('/runner/workflows/{id}/runs', { params: { path }, body: { inputs } });
  const answer = await unwrap(request).catch((error: unknown) => {
    if (error instanceof TrellisApiError && error.code === 'workflow_not_found') {
      throw new CliError('workflow_not_deployed', `${workflow.name} is not deployed`, { hint: `deploy it: \`trellis workflow deploy ${workflow.name} --wait\`` });
    }
    throw error;
  });
  await started(client, answer, `Started ${workflow.name}`, { ...options, timeout: String(limit / 1000) });
}

export async function rerunRun(client: TrellisClient, runId: string, options: RerunOptions): Promise<void> {
  const limit = timeoutMs(options.timeout);
  const answer = await unwrap(client.POST('/runner/runs/{id}/rerun', { params: { path: { id: runId } }, body: { from: options.fromFailed ? 'failed' : 'start' } }))
    .catch(explainRunNotFound(runId));
  await started(client, answer, `Re-ran ${runId}${options.fromFailed ? ' from where it failed' : ''}`, { ...options, timeout: String(limit / 1000) });
}

export async function cancelRun(client: TrellisClient, runId: string, options: { json?: boolean }): Promise<void> {
  const answer = await unwrap(client.POST('/runner/runs/{id}/cancel', { params: { path: { id: runId } } })).catch(explainRunNotFound(runId));
  if (options.json) return printJson(answer);
  printLine(`Canceling run ${colors.bold(runId)}`);
}
