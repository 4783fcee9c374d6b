import { unwrap, type TrellisClient } from '@trellis/sdk';
import { note, printJson } from '../../output.js';
import type { AttemptLogs, RunDetail, RunStep } from '../workflow/api-types.js';
import { explainRunNotFound, readRun } from './find.js';
import { followLogs } from './follow.js';
import { makeLogWriter, type LogWriter } from './log-writer.js';
import { dagOrder } from './tree.js';

export type LogsOptions = { step?: string; follow?: boolean; json?: boolean };

const itemCount = (step: RunStep) => Object.values(step.items ?? {}).reduce((sum, count) => sum + count, 0);

/** The names whose logs a step has: itself, or each of its foreach items (`id[index]`). */
export function logNames(step: RunStep): string[] {
  return step.items ? Array.from({ length: itemCount(step) }, (_, index) => `${step.id}[${index}]`) : [step.id];
}

/** The steps a run's logs cover: every one that started, in DAG order, then the compensations (or the one asked for). */
export function stepsOfLogs(run: RunDetail, only: string | undefined): RunStep[] {
  const all = [...dagOrder(run.steps), ...run.compensations];
  if (only) return [all.find((step) => step.id === only) ?? { ...emptyStep, id: only }];
  return all.filter((step) => step.status !== 'pending' && step.status !== 'skipped' && step.action !== '');
}

const emptyStep: RunStep = {
  id: '', action: '', signal: null, status: 'pending', retry_at: null, items: null, attempts: [], started_at: null, finished_at: null, duration_ms: null, inputs: null, outputs: null, error: null,
};

/** Several steps (or items) share the output: each line says whose it is. */
export const prefixedFor = (run: RunDetail, names: readonly string[], only: string | undefined) =>
  names.length > 1 || (!only && run.steps.length + run.compensations.length > 1);

export function writeAttempt(writer: LogWriter, name: string, attempt: AttemptLogs, attempts: number, skip = { stdout: 0, stderr: 0 }): void {
  if (attempts > 1 && skip.stdout === 0 && skip.stderr === 0) note(`── ${name}: attempt ${attempt.attempt} (${attempt.status}) ──`);
  writer.write(name, 'stdout', attempt.stdout.slice(skip.stdout));
  writer.write(name, 'stderr', attempt.stderr.slice(skip.stderr));
  writer.flush(name);
}

export async function showLogs(client: TrellisClient, runId: string, options: LogsOptions): Promise<void> {
  const run = await readRun(client, runId);
  if (options.follow) return followLogs(client, run, options);
  const names = stepsOfLogs(run, options.step).flatMap(logNames);
  const logs = await Promise.all(names.map((name) =>
    unwrap(client.GET('/runner/runs/{id}/steps/{step}/logs', { params: { path: { id: run.id, step: name } } })).catch(explainRunNotFound(run.id, name))));
  if (options.json) return printJson(logs);
  const writer = makeLogWriter(prefixedFor(run, names, options.step));
  for (const log of logs) for (const attempt of log.attempts) writeAttempt(writer, log.step, attempt, log.attempts.length);
}
