import { z } from 'zod';
import type { JsonValue } from '@trellis/kernel/io';
import { projectRole } from '@trellis/platform/auth/access';
import { decodeCursor, listOf, pageAnswer, pageQuery } from '@trellis/platform/http/pagination';
import { HttpProblem } from '@trellis/platform/http/problem';
import { defineRoute, projectOf, type Route, type RouteResult } from '@trellis/platform/http/route';
import { readDocument } from '@trellis/workflow-language/document';
import type { Engine, TriggerType } from '../../application/engine-port.js';
import type { PinnedAction } from '../../domain/deployment.js';
import { MASK, maskPasswords } from '../../domain/secret-mask.js';
import type { RunDetail, RunQueries, RunRow } from '../postgres/run-queries.js';
import type { RunStatus } from '../postgres/schema.js';
import { restoreRecord } from '../../application/large-values.js';
import { isStoredFile } from '../../domain/stored-file.js';
import { tickOfKey } from '../../application/fire-schedules.js';
import { accepted, readStored, type RunAnswers } from './run-answers.js';
import { shownRecord } from './value-views.js';
import { type AttemptTail, streamStepLogs, type StepLogSource } from './step-log-stream.js';
import { webhookSchema, webhookView } from './webhook-view.js';

const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const satisfies readonly RunStatus[];
const FINISHED: readonly RunStatus[] = ['succeeded', 'failed', 'canceled'];

const json = z.unknown().describe('A JSON value');
const errorSchema = z.object({ code: z.string(), message: z.string() }).loose().nullable();
const durationMs = (started: Date | null, finished: Date | null) => (started && finished ? finished.getTime() - started.getTime() : null);
const iso = (date: Date | null) => date?.toISOString() ?? null;

export const runSchema = z.object({
  id: z.string(), workflow_id: z.string(), workflow: z.string().describe('The workflow\'s name in the version the run started on'), version: z.number().int(),
  status: z.enum(RUN_STATUSES), trigger: z.string(),
  trigger_outputs: z.record(z.string(), json).describe('What the trigger gave the run (password inputs shown as ***)'),
  results: z.record(z.string(), json).nullable(), error: errorSchema,
  created_at: z.string(), started_at: z.string().nullable(), finished_at: z.string().nullable(), duration_ms: z.number().nullable(),
  rerun_of: z.string().nullable().describe('The run this one re-runs'),
  scheduled_at: z.string().nullable().describe('For a run of a schedule trigger: the tick it was fired for (ISO 8601); null otherwise'),
});

const attemptSchema = z.object({
  attempt: z.number().int(), status: z.string(), error: errorSchema, logs_truncated: z.boolean(),
  started_at: z.string(), finished_at: z.string().nullable(), duration_ms: z.number().nullable(),
});

const stepSchema = z.object({
  id: z.string(), action: z.string().describe('id@version (empty for a wait step)'),
  signal: z.string().nullable().describe('A wait step: the signal it waits for (POST /runs/{id}/signals/{signal})'),
  status: z.enum(['pending', 'waiting', 'running', 'retrying', 'succeeded', 'failed', 'skipped', 'canceled'])
    .describe('pending: the run has not reached it; retrying: an attempt failed and the next one starts at retry_at'),
  retry_at: z.string().nullable().describe('When a retrying step\'s next attempt starts'),
  items: z.record(z.string(), z.number().int()).nullable()
    .describe('A foreach step: how many of its items are in each status (each item is /steps/{id}[{index}], e.g. its logs)'),
  attempts: z.array(attemptSchema),
  started_at: z.string().nullable(), finished_at: z.string().nullable(), duration_ms: z.number().nullable(),
  inputs: z.record(z.string(), json).nullable().describe('As the action got them, password inputs (secrets among them) shown as ***'),
  outputs: z.record(z.string(), json).nullable(), error: errorSchema,
});

const runDetailSchema = runSchema.extend({
  steps: z.array(stepSchema).describe('Every step of the version, in document order'),
  compensations: z.array(stepSchema.extend({ compensation: z.string(), compensates: z.string() }))
    .describe('The compensations a failed run ran, in order: each `id` is `<compensation>:<step it compensates>` (its logs: /steps/{id}/logs)'),
  webhook: webhookSchema,
});

const logsSchema = z.object({
  run_id: z.string(), step: z.string(),
  attempts: z.array(attemptSchema.extend({ stdout: z.string(), stderr: z.string() })),
});

type Declared = readonly { readonly name: string; readonly type: string }[];

function triggerDeclared(document: JsonValue): Declared {
  const trigger = readDocument(document).trigger;
  return trigger && (trigger.type === 'http' || trigger.type === 'manual') ? trigger.inputs : [];
}

function runView(run: RunRow, declared: Declared): z.infer<typeof runSchema> {
  return {
    id: run.id, workflow_id: run.workflowId, workflow: run.workflowName, version: run.version, status: run.status, trigger: run.triggerType,
    trigger_outputs: shownRecord(maskPasswords(run.triggerOutputs, declared)), results: shownRecord(run.results), error: run.error as z.infer<typeof errorSchema>,
    created_at: run.createdAt.toISOString(), started_at: iso(run.startedAt), finished_at: iso(run.finishedAt), duration_ms: durationMs(run.startedAt, run.finishedAt),
    rerun_of: run.rerunOf,
    scheduled_at: run.triggerType === 'schedule' ? tickOfKey(run.idempotencyKey)?.toISOString() ?? null : null,
  };
}

const pinOf = (actions: readonly PinnedAction[], action: string) => actions.find((pin) => `${pin.actionId}@${pin.version}` === action);

function detailView(run: RunDetail): z.infer<typeof runDetailSchema> {
  const rows = new Map(run.steps.map((step) => [step.step_id, step]));
  const documentSteps = readDocument(run.document).steps;
  const view = (id: string, step: { action: string; wait?: { signal?: string } }) => {
    const row = rows.get(id);
    const pin = pinOf(run.actions, step.action);
    const values = (value: unknown, declared: Declared | undefined) =>
      value === null || value === undefined ? null : shownRecord(maskPasswords(value as Record<string, JsonValue>, declared ?? []));
    return {
      id, action: step.action, signal: step.wait?.signal ?? null, status: row?.status ?? ('pending' as const),
      attempts: run.attempts.filter((attempt) => attempt.step_id === id).map((attempt) => ({
        attempt: attempt.attempt, status: attempt.status, error: attempt.error as z.infer<typeof errorSchema>, logs_truncated: attempt.logs_truncated,
        started_at: attempt.started_at.toISOString(), finished_at: iso(attempt.finished_at), duration_ms: durationMs(attempt.started_at, attempt.finished_at),
      })),
      retry_at: iso(row?.retry_at ?? null),
      started_at: iso(row?.started_at ?? null), finished_at: iso(row?.finished_at ?? null), duration_ms: durationMs(row?.started_at ?? null, row?.finished_at ?? null),
      inputs: values(row?.inputs, pin?.inputs), outputs: values(row?.outputs, pin?.outputs), error: (row?.error ?? null) as z.infer<typeof errorSchema>,
    };
  };
  const itemCounts = (id: string) => {
    const counts: Record<string, number> = {};
    for (const row of run.steps) if (row.step_id.startsWith(`${id}[`)) counts[row.status] = (counts[row.status] ?? 0) + 1;
    return Object.keys(counts).length > 0 ? counts : null;
  };
  const steps = documentSteps.map((step) => ({ ...view(step.id, step), items: step.foreach !== undefined ? itemCounts(step.id) : null }));
  // Compensation runs (`<compensation>:<step>`), in the order they started.
  const compensations = run.steps.filter((row) => row.step_id.includes(':'))
    .sort((a, b) => (a.started_at?.getTime() ?? 0) - (b.started_at?.getTime() ?? 0))
    .flatMap((row) => {
      const [compensation = '', compensates = ''] = row.step_id.split(':');
      const step = documentSteps.find((candidate) => candidate.id === compensation);
      return step ? [{ ...view(row.step_id, step), items: null, compensation, compensates }] : [];
    });
  return { ...runView(run, triggerDeclared(run.document)), steps, compensations, webhook: webhookView(run.webhook) };
}

type AttemptLogRow = Awaited<ReturnType<RunQueries['logs']>>[number];

function attemptLogView(attempt: AttemptLogRow): z.infer<typeof logsSchema>['attempts'][number] {
  return {
    attempt: attempt.attempt, status: attempt.status, error: attempt.error as z.infer<typeof errorSchema>, logs_truncated: attempt.logs_truncated,
    started_at: attempt.started_at.toISOString(), finished_at: iso(attempt.finished_at), duration_ms: durationMs(attempt.started_at, attempt.finished_at),
    stdout: attempt.stdout, stderr: attempt.stderr,
  };
}

/** A step is done when it has ended, or its run has (a step never reached ends `pending`). */
const STEP_DONE = new Set(['succeeded', 'failed', 'skipped', 'canceled']);
/** A log stream open this long ends with `retry:` (the client comes back with Last-Event-ID). */
const LOG_STREAM_MAX_MS = 60 * 60 * 1000;

/** One poll of a step's logs: its status read before its attempts, so a done step has every attempt in the same page or an earlier one. */
function stepLogSource(queries: Pick<RunQueries, 'logs' | 'stepStatus'>, runId: string, step: string): StepLogSource {
  return async (after) => {
    const status = await queries.stepStatus(runId, step);
    if (!status) return undefined;
    // An attempt still running (only ever the last) is sent once it ends.
    const ended = (await queries.logs(runId, step, after)).filter((attempt) => attempt.status !== 'running');
    const done = (status.step !== null && STEP_DONE.has(status.step)) || FINISHED.includes(status.run);
    return { attempts: ended.map(attemptLogView), done, status: status.step ?? 'pending' };
  };
}

const runNotFound = () => new HttpProblem(404, 'run_not_found', 'Run not found', 'No such run in the project.');
const stepNotFound = () => new HttpProblem(404, 'step_not_found', 'Step not found', 'The run\'s version has no such step.');

export type RunRouteDeps = {
  queries: Pick<RunQueries, 'list' | 'get' | 'logs' | 'stepStatus' | 'deleteFinished' | 'servingOf'>;
  /** cancel, and awaitEnd: a finished run's end as the engine reports it (the same answer as the trigger's). */
  engine: Pick<Engine, 'cancel' | 'awaitEnd' | 'start' | 'signal'>;
  /** Removes what the run keeps in the object store (large values, files). */
  removeRunObjects: (projectId: string, runId: string) => Promise<void>;
  answers: RunAnswers;
  /** Reads a value kept in the object store for its size. */
  getText: (object: string) => Promise<string>;
  /** Where the project's runs keep their objects: only references under it are followed. */
  runsPrefix: (projectId: string) => string;
  /** True once the HTTP server stops: open log streams end (the client reconnects). */
  closing?: () => boolean;
  /** How often a followed step's logs are read (500 ms). */
  logPollMs?: number;
  /** The step's attempt running on this replica, if any, whose output a follower gets as it is written. */
  tailStep?: (runId: string, step: string) => AttemptTail | undefined;
};

const cursorKey = z.tuple([z.string(), z.string()]);
const runParams = z.object({ id: z.string() });
const stepParams = z.object({ id: z.string(), step: z.string() });

/** `/runs...`: the project's runs, newest first; a run with its steps, a step's logs and outputs, the result; cancel and delete. */
export function makeRunRoutes(deps: RunRouteDeps): Route[] {
  const runOf = async (projectId: string, id: string): Promise<RunDetail> => {
    const run = await deps.queries.get(projectId, id);
    if (!run) throw runNotFound();
    return run;
  };
  const stepIn = (run: RunDetail, step: string) => {
    // A compensation's run is named `<compensation>:<step>`, an item's `<step>[<index>]`.
    const [id = ''] = step.split(/[:[]/);
    const found = readDocument(run.document).steps.find((candidate) => candidate.id === id);
    if (!found) throw stepNotFound();
    return found;
  };
  return [
    defineRoute({
      method: 'get', path: '/runs', operationId: 'runnerListRuns', tags: ['runs'], access: projectRole('viewer'),
      summary: 'The project\'s runs, newest first',
      query: z.object({
        ...pageQuery,
        workflow: z.string().max(200).optional().describe('A workflow\'s id or name'),
        status: z.enum(RUN_STATUSES).optional(),
        since: z.iso.datetime({ offset: true }).optional().describe('Runs created at or after this instant'),
        until: z.iso.datetime({ offset: true }).optional().describe('Runs created before this instant'),
      }),
      responses: { 200: { description: 'One page of runs', schema: listOf(runSchema) } },
      handler: async ({ query, context }) => {
        const { projectId } = projectOf(context);
        const page = await deps.queries.list(projectId, {
          ...(query.workflow === undefined ? {} : { workflow: query.workflow }), ...(query.status === undefined ? {} : { status: query.status }),
          ...(query.since === undefined ? {} : { since: new Date(query.since) }), ...(query.until === undefined ? {} : { until: new Date(query.until) }),
        }, { limit: query.limit, after: decodeCursor(query.cursor, cursorKey) });
        // The list shows trigger outputs without the version's document: every value of them is masked unless known safe.
        return { status: 200, body: pageAnswer(page, (run) => ({ ...runView(run, []), trigger_outputs: maskAll(run.triggerOutputs) }), (run) => [run.createdAt.toISOString(), run.id]) };
      },
    }),
    defineRoute({
      method: 'get', path: '/runs/:id', operationId: 'runnerGetRun', tags: ['runs'], access: projectRole('viewer'),
      summary: 'A run with every step: status, attempts, timings, inputs, outputs, error',
      params: runParams,
      responses: { 200: { description: 'The run', schema: runDetailSchema } },
      handler: async ({ params, context }) => ({ status: 200, body: detailView(await runOf(projectOf(context).projectId, params.id)) }),
    }),
    defineRoute({
      method: 'get', path: '/runs/:id/steps/:step/logs', operationId: 'runnerGetStepLogs', tags: ['runs'], access: projectRole('viewer'),
      summary: 'The logs of a step\'s attempts (what the action wrote); followed live with Accept: text/event-stream',
      description: 'As JSON: every attempt so far with its stdout and stderr. With `Accept: text/event-stream`: Server-Sent Events, one `attempt` event '
        + 'per ended attempt (`id` is the attempt number, `data` the attempt as in the JSON answer; `Last-Event-ID` resumes after it), the next ones as they '
        + 'are recorded, and an `end` event (`{"status": ...}`, the step\'s status) once the step is done. While an attempt runs, what its action writes '
        + 'comes as it is written, in `output` events without an id: `data` is `{"attempt": N, "stream": "stdout"|"stderr", "text": "..."}` (a piece of '
        + 'the output, often a line; everything written so far first, then each new write); that attempt\'s `attempt` event, with its whole stdout and '
        + 'stderr, follows once it ends, then the next attempt\'s output if the step retries. `output` events are a preview: they come only when the '
        + 'attempt runs on the runner replica that answers the stream (otherwise, or when the action cannot be followed, only `attempt` events come), '
        + 'they are not resent on reconnection (`Last-Event-ID` counts ended attempts only), a client reading too slowly gets '
        + '`…[truncated N bytes]` in place of what it missed, and the `attempt` event is the record.',
      params: stepParams,
      responses: { 200: { description: 'Each attempt\'s logs (application/json, or text/event-stream when asked)', schema: logsSchema } },
      handler: async ({ params, context }): Promise<RouteResult> => {
        const run = await runOf(projectOf(context).projectId, params.id);
        stepIn(run, params.step);
        if (String(context.headers['accept'] ?? '').includes('text/event-stream')) {
          const tailStep = deps.tailStep;
          const lastEventId = Number(context.headers['last-event-id']);
          return {
            status: 200, contentType: 'text/event-stream',
            // The connection ends with the stream: a stopping server need not wait for it to idle out.
            headers: { 'cache-control': 'no-cache', 'x-accel-buffering': 'no', connection: 'close' },
            body: streamStepLogs(stepLogSource(deps.queries, run.id, params.step), Number.isInteger(lastEventId) && lastEventId > 0 ? lastEventId : 0, {
              pollMs: deps.logPollMs ?? 500, maxMs: LOG_STREAM_MAX_MS, closing: deps.closing ?? (() => false),
              ...(tailStep === undefined ? {} : { running: () => tailStep(run.id, params.step) }),
            }),
          };
        }
        const attempts = await deps.queries.logs(run.id, params.step);
        return { status: 200, body: { run_id: run.id, step: params.step, attempts: attempts.map(attemptLogView) } };
      },
    }),
    defineRoute({
      method: 'get', path: '/runs/:id/steps/:step/outputs/:name', operationId: 'runnerGetStepOutput', tags: ['runs'], access: projectRole('viewer'),
      summary: 'One output of a step: its value as JSON (a password output shows as ***), or a redirect to download a file',
      description: 'A file or directory output answers 302 to a presigned link (valid 15 minutes); `?inline=true` streams the file from here instead. '
        + 'A value kept in the object store for its size is read back whole.',
      params: z.object({ id: z.string(), step: z.string(), name: z.string() }),
      query: z.object({ inline: z.enum(['true', 'false']).optional().describe('Stream a file from the runner rather than redirecting') }),
      responses: { 200: { description: 'The value, or the file' }, 302: { description: 'Where to download the file' } },
      handler: async ({ params, query, context }): Promise<RouteResult> => {
        const run = await runOf(projectOf(context).projectId, params.id);
        const step = stepIn(run, params.step);
        const outputs = run.steps.find((row) => row.step_id === params.step)?.outputs as Record<string, JsonValue> | null | undefined;
        if (!outputs || !Object.hasOwn(outputs, params.name)) {
          throw new HttpProblem(404, 'output_not_found', 'Output not found', 'The step has no such output (yet).');
        }
        const declared = pinOf(run.actions, step.action)?.outputs ?? [];
        const prefix = deps.runsPrefix(projectOf(context).projectId);
        const value = (await readStored(() => restoreRecord({ [params.name]: outputs[params.name] ?? null }, deps.getText, prefix)))[params.name] ?? null;
        if (isStoredFile(value) && value.object.startsWith(prefix)) {
          if (query.inline === 'true') return deps.answers.fileAnswer(value);
          return { status: 302, headers: { location: await deps.answers.downloadUrl(value), 'cache-control': 'no-store' } };
        }
        // JSON text whatever the value (koa would send a bare string as text/plain).
        return { status: 200, contentType: 'application/json', body: JSON.stringify(maskPasswords({ [params.name]: value }, declared)[params.name] ?? null) };
      },
    }),
    defineRoute({
      method: 'get', path: '/runs/:id/result', operationId: 'runnerGetRunResult', tags: ['runs'], access: projectRole('viewer'),
      summary: 'The run\'s results (200), 202 while it runs, its failure as a problem',
      description: 'A failed run answers as its HTTP trigger would: the status and code an action chose, or 500 run_failed; a canceled one 409 run_canceled. Each problem carries run_id.',
      params: runParams,
      responses: {
        200: { description: 'The results', schema: z.record(z.string(), json) },
        202: { description: 'Not finished yet', schema: z.object({ run_id: z.string(), status: z.enum(RUN_STATUSES) }) },
      },
      handler: async ({ params, context }): Promise<RouteResult> => {
        const { projectId } = projectOf(context);
        const run = await runOf(projectId, params.id);
        if (!FINISHED.includes(run.status)) return { status: 202, headers: { 'retry-after': '1' }, body: { run_id: run.id, status: run.status } };
        const end = await deps.engine.awaitEnd(projectId, run.id);
        if (!end) throw runNotFound();
        return deps.answers.answerOfEnd(end, projectId);
      },
    }),
    defineRoute({
      method: 'post', path: '/runs/:id/rerun', operationId: 'runnerRerun', tags: ['runs'], access: projectRole('operator'),
      summary: 'Runs a finished run again as a new run linked to it: from the start with the same inputs, or from where it failed',
      description: '`from: "start"` (the default) runs the workflow\'s serving version with the same trigger outputs. `from: "failed"` takes a failed run '
        + 'of the version still served and reuses the recorded outputs of every step that had succeeded (those steps are not called again: attempt 0, '
        + 'no attempts), running the rest. The new run names the first in `rerun_of`. Files given to the first run are read from it: delete it and they are gone.',
      params: runParams,
      body: z.object({ from: z.enum(['start', 'failed']).default('start') }).strict(),
      responses: { 202: { description: 'Started', schema: z.object({ run_id: z.string(), status_url: z.string(), result_url: z.string() }) } },
      handler: async ({ params, body, context }) => {
        const { projectId } = projectOf(context);
        const run = await runOf(projectId, params.id);
        if (!FINISHED.includes(run.status)) throw new HttpProblem(409, 'run_not_finished', 'Run not finished', 'Only a finished run is run again.');
        const reuse: Record<string, Record<string, JsonValue>> = {};
        if (body.from === 'failed') {
          if (run.status !== 'failed') throw new HttpProblem(409, 'run_not_failed', 'Run not failed', `The run ${run.status}; re-run it from the start.`);
          const serving = await deps.queries.servingOf(projectId, run.workflowId);
          if (serving?.version !== run.version) {
            throw new HttpProblem(409, 'version_changed', 'Version changed', `The workflow serves ${serving ? `version ${serving.version}` : 'no version'} now, not the run's ${run.version}; re-run it from the start.`);
          }
          for (const row of run.steps) {
            // Steps of the normal flow that succeeded (a foreach step with its gathered outputs); items and compensations are not reused.
            if (row.status !== 'succeeded' || /[:[]/.test(row.step_id)) continue;
            reuse[row.step_id] = await restoreRecord((row.outputs ?? {}) as Record<string, JsonValue>, deps.getText, deps.runsPrefix(projectId));
          }
        }
        const started = await deps.engine.start({
          projectId, workflowId: run.workflowId, triggerType: run.triggerType as TriggerType, traceId: context.traceId,
          triggerOutputs: await restoreRecord(run.triggerOutputs, deps.getText, deps.runsPrefix(projectId)), rerun: { of: run.id, reuse },
        });
        if (!started.ok) {
          if (started.error.type === 'NotServing') throw new HttpProblem(409, 'not_serving', 'Not serving', 'The workflow serves no version now.');
          throw new HttpProblem(503, 'overloaded', 'Overloaded', 'The runner takes no new run right now; retry later.', undefined, { 'retry-after': '1' });
        }
        return accepted(started.value.runId);
      },
    }),
    defineRoute({
      method: 'post', path: '/runs/:id/signals/:name', operationId: 'runnerSignalRun', tags: ['runs'], access: projectRole('operator'),
      summary: 'Sends a signal to a run: the wait step waiting for it ends with the body as its outputs',
      description: 'The body (a JSON object) becomes the outputs of the wait step whose `wait.signal` is `name` (`${{ steps.<id>.<field> }}`). '
        + 'The signal is kept before the answer, so it is never lost: it ends the step at once, or as soon as the run reaches it. One signal per name per run.',
      params: z.object({ id: z.string(), name: z.string() }),
      body: z.record(z.string(), json).describe('The wait step\'s outputs'),
      responses: { 202: { description: 'Kept (and applied, when the run was waiting for it)', schema: z.object({ run_id: z.string(), signal: z.string(), step: z.string() }) } },
      handler: async ({ params, body, context }) => {
        const { projectId } = projectOf(context);
        const sent = await deps.engine.signal(projectId, params.id, params.name, body as Record<string, JsonValue>);
        if (!sent.ok) {
          const refusal = sent.error;
          switch (refusal.type) {
            case 'RunNotFound':
              throw runNotFound();
            case 'RunFinished':
              throw new HttpProblem(409, 'run_finished', 'Run finished', 'The run has already ended.');
            case 'UnknownSignal':
              throw new HttpProblem(404, 'unknown_signal', 'Unknown signal',
                `No wait step of the run waits for ${JSON.stringify(params.name.slice(0, 100))}; ${refusal.signals.length > 0 ? `it waits for: ${refusal.signals.join(', ')}` : 'the run has no wait step'}.`);
            case 'StepEnded':
              throw new HttpProblem(409, 'wait_ended', 'Wait ended', `The step ${refusal.step} waiting for this signal has ended (${refusal.status}).`);
            case 'AlreadySignaled':
              throw new HttpProblem(409, 'already_signaled', 'Already signaled', `The run has received the signal ${params.name} already (step ${refusal.step}).`);
          }
        }
        return { status: 202, body: { run_id: params.id, signal: params.name, step: sent.value.step } };
      },
    }),
    defineRoute({
      method: 'post', path: '/runs/:id/cancel', operationId: 'runnerCancelRun', tags: ['runs'], access: projectRole('operator'),
      summary: 'Cancels a run: its running calls are aborted, nothing new starts, it ends canceled',
      params: runParams,
      responses: { 202: { description: 'Being canceled', schema: z.object({ run_id: z.string(), status: z.literal('canceling') }) } },
      handler: async ({ params, context }) => {
        const { projectId } = projectOf(context);
        const run = await runOf(projectId, params.id);
        if (FINISHED.includes(run.status)) throw new HttpProblem(409, 'run_finished', 'Run finished', `The run has already ended (${run.status}).`);
        const canceled = await deps.engine.cancel(projectId, run.id);
        if (!canceled.ok) {
          switch (canceled.error.type) {
            case 'RunNotFound':
              throw runNotFound();
            case 'RunFinished':
              throw new HttpProblem(409, 'run_finished', 'Run finished', 'The run has already ended.');
          }
        }
        return { status: 202, body: { run_id: run.id, status: 'canceling' as const } };
      },
    }),
    defineRoute({
      method: 'delete', path: '/runs/:id', operationId: 'runnerDeleteRun', tags: ['runs'], access: projectRole('developer'),
      summary: 'Deletes a finished run with its steps, attempts, logs and stored values',
      params: runParams,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ params, context }) => {
        const { projectId } = projectOf(context);
        switch (await deps.queries.deleteFinished(projectId, params.id)) {
          case 'missing':
            throw runNotFound();
          case 'running':
            throw new HttpProblem(409, 'run_not_finished', 'Run not finished', 'Cancel the run, or wait for its end, before deleting it.');
          case 'deleted':
            await deps.removeRunObjects(projectId, params.id);
            return { status: 204 };
        }
      },
    }),
  ];
}

/** Trigger outputs in a list, where the declaration is not read: nothing but their names. */
function maskAll(values: Readonly<Record<string, JsonValue>>): Record<string, JsonValue> {
  return Object.fromEntries(Object.keys(values).map((name) => [name, MASK]));
}
