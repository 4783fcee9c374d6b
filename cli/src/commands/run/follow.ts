import { readEventStream, type TrellisClient } from '@trellis/sdk';
import type { AttemptLogs, RunDetail } from '../workflow/api-types.js';
import { POLL_MS, sleep } from '../../wait.js';
import { explainRunNotFound, readRun } from './find.js';
import { makeLogWriter, type LogStream, type LogWriter } from './log-writer.js';
import { logNames, prefixedFor, stepsOfLogs, writeAttempt, type LogsOptions } from './logs.js';

type Output = { attempt: number; stream: LogStream; text: string };

const FINISHED = ['succeeded', 'failed', 'canceled'];

/**
 * One step's logs as the runner streams them (Server-Sent Events) until its `end`: `output`
 * pieces as the action writes them, then each `attempt` whole, of which only what the pieces
 * did not show is written. With --json, each event as one line of JSON.
 */
async function followStep(client: TrellisClient, runId: string, name: string, writer: LogWriter, json: boolean): Promise<void> {
  const { data: body } = await client.GET('/runner/runs/{id}/steps/{step}/logs', {
    params: { path: { id: runId, step: name } }, headers: { accept: 'text/event-stream' }, parseAs: 'stream',
  }).catch(explainRunNotFound(runId, name));
  const shown = new Map<number, { stdout: number; stderr: number }>();
  let attempts = 0;
  const done = new AbortController();
  for await (const event of readEventStream(body, done.signal)) {
    if (json) process.stdout.write(`${JSON.stringify({ step: name, event: event.event, ...(event.id ? { id: event.id } : {}), data: JSON.parse(event.data) as unknown })}\n`);
    if (event.event === 'output') {
      const output = JSON.parse(event.data) as Output;
      const seen = shown.get(output.attempt) ?? { stdout: 0, stderr: 0 };
      seen[output.stream] += output.text.length;
      shown.set(output.attempt, seen);
      if (!json) writer.write(name, output.stream, output.text);
    } else if (event.event === 'attempt') {
      const attempt = JSON.parse(event.data) as AttemptLogs;
      attempts = Math.max(attempts, attempt.attempt);
      if (!json) writeAttempt(writer, name, attempt, attempts, shown.get(attempt.attempt));
      shown.delete(attempt.attempt);
    } else if (event.event === 'end') {
      done.abort();
      break;
    }
  }
  writer.flush(name);
}

/** `run logs --follow`: one step, or every step as it starts, until the run (or the step) ends. */
export async function followLogs(client: TrellisClient, first: RunDetail, options: LogsOptions): Promise<void> {
  const followed = new Map<string, Promise<void>>();
  let run = first;
  let writer: LogWriter | undefined;
  for (;;) {
    const names = stepsOfLogs(run, options.step).flatMap(logNames);
    writer ??= makeLogWriter(prefixedFor(run, names, options.step));
    for (const name of names) if (!followed.has(name)) followed.set(name, followStep(client, run.id, name, writer, options.json === true));
    // One step asked for: its stream ends with it (a foreach step's items are known once it runs).
    if (FINISHED.includes(run.status) || (options.step && !run.steps.some((step) => step.id === options.step && step.items && step.status === 'running'))) break;
    await sleep(POLL_MS);
    run = await readRun(client, run.id);
  }
  await Promise.all(followed.values());
}
