import type { JsonValue } from '@trellis/kernel/io';
import { templateReferences } from '@trellis/workflow-language/template';
import { resolveInputs, type Scope, type StepValues } from '../domain/inputs.js';
import { itemOf, stepOf, type Plan } from '../domain/plan.js';
import * as Run from '../domain/run.js';
import type { RunEnd, RunError } from './engine-port.js';
import type { AttemptRow, RunEndRow, StepRow, StoredEnd } from './run-store.js';
import type { CallLogs, CallOutcome } from './site.js';

/** What a run reads its inputs from: the project's variables and the secrets its version references (opened once per run). */
export type RunValues = { readonly variables: ReadonlyMap<string, JsonValue>; readonly secrets: ReadonlyMap<string, string> };

/** Shown in a stored step's inputs in place of a value built with a secret (the call gets the real value). */
export const SECRET_SHOWN = '[secret]';

export type Settled = {
  readonly state: Run.RunState;
  /** Steps to call now, with their inputs. */
  readonly ready: readonly string[];
  readonly ended?: Run.RunEnd;
  /** Steps waiting for their next attempt (their `retryAt`): the engine arms a timer for each. */
  readonly retrying: readonly string[];
  /** Every step this settling started (those that failed on their inputs too): their rows change. */
  readonly started: readonly string[];
};

function scopeOf(plan: Plan, state: Run.RunState, values: RunValues, failure?: JsonValue, item?: JsonValue): Scope {
  const steps = new Map<string, StepValues | null>();
  // The normal flow only: items are read through their foreach step, nothing reads a compensation.
  for (const id of plan.order) {
    const step = state.steps.get(id);
    if (!step) continue;
    if (step.status === 'succeeded') steps.set(id, step.outputs ?? {});
    else if (step.status === 'skipped') steps.set(id, null);
  }
  return {
    trigger: state.triggerOutputs, steps, variables: values.variables, secret: (name) => values.secrets.get(name),
    ...(failure !== undefined ? { failure } : {}), ...(item !== undefined ? { item } : {}),
  };
}

/**
 * The steps a transition started get their inputs; a step whose inputs cannot be resolved fails
 * at once (`invalid_inputs`, never called), which may end the run or start nothing more. The
 * inputs of the steps to call are set in `inputs`.
 */
export function settle(plan: Plan, transition: Run.Transition, values: RunValues, at: Date, inputs: Map<string, Record<string, JsonValue>>): Settled {
  let { state, ended } = transition;
  const queue = [...transition.start];
  const ready: string[] = [];
  const started: string[] = [];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    started.push(id);
    const step = state.steps.get(id);
    if (step?.status !== 'running') continue;
    // A compensation reads the step it compensates (its inputs as called) as `failure`.
    const failure = id.includes(':') ? Run.failureOf(state, id, inputs.get(id.slice(id.indexOf(':') + 1))) : undefined;
    // An item reads its value as `item`.
    const item = itemOf(id);
    const value = item ? state.steps.get(item.step)?.foreach?.items[item.index] : undefined;
    const resolved = resolveInputs(stepOf(plan, id), scopeOf(plan, state, values, failure, value));
    if (resolved.ok) {
      inputs.set(id, resolved.value);
      ready.push(id);
      continue;
    }
    const failed = Run.stepFinished(plan, state, id, { ok: false, attempt: step.attempt, error: { code: resolved.error.code, message: resolved.error.message } }, { at, variables: values.variables });
    if (!failed.ok) throw new Error(`a step just started could not fail: ${failed.error.type}`);
    state = failed.value.state;
    ended = failed.value.ended ?? ended;
    queue.push(...failed.value.start);
  }
  return {
    state, ready: ready.filter((id) => state.steps.get(id)?.status === 'running'), ...(ended ? { ended } : {}),
    retrying: transition.retrying.filter((id) => state.steps.get(id)?.status === 'retrying'), started,
  };
}

/** Inputs as stored: a value built with a secret is shown as SECRET_SHOWN. */
function shownInputs(plan: Plan, id: string, given: Record<string, JsonValue> | undefined): Record<string, JsonValue> | null {
  if (!given) return null;
  const templates = stepOf(plan, id).inputs;
  return Object.fromEntries(Object.entries(given).map(([name, value]) => {
    const template = templates.get(name);
    return [name, template && templateReferences(template).some((reference) => reference.root === 'secrets') ? SECRET_SHOWN : value];
  }));
}

function stepRow(plan: Plan, id: string, step: Run.StepState, inputs: Map<string, Record<string, JsonValue>>): StepRow {
  return {
    step: id, status: step.status, attempt: step.attempt,
    inputs: step.attempt > 0 ? shownInputs(plan, id, inputs.get(id)) : null,
    outputs: step.outputs ?? null, error: step.error ?? null, startedAt: step.startedAt ?? null, finishedAt: step.finishedAt ?? null,
    retryAt: step.status === 'retrying' ? (step.retryAt ?? null) : null,
  };
}

/**
 * The steps a transition may have changed. Every step of the run, unless the caller names the
 * ones it touched (an outcome and what it started) and the transition is an ordinary one: then the
 * normal flow, the compensations and those (a foreach's thousands of items are not all read).
 */
function candidates(plan: Plan, previous: Run.RunState | undefined, next: Run.RunState, touched: ReadonlySet<string> | undefined): Iterable<string> {
  if (!previous || !touched || next.status !== 'running' || next.error !== previous.error) return next.steps.keys();
  // A foreach that starts creates all its items at once.
  if (plan.order.some((id) => next.steps.get(id)?.foreach !== undefined && previous.steps.get(id)?.foreach === undefined)) return next.steps.keys();
  return new Set([...plan.order, ...touched, ...(next.error ? Run.compensationQueue(plan, next.steps) : [])]);
}

/** How an attempt ended, by the status its step took (a step waiting to retry ended its attempt failed). */
const ATTEMPT_ENDS = { succeeded: 'succeeded', failed: 'failed', canceled: 'canceled', retrying: 'failed' } as const;

/**
 * The rows a transition changes: every step whose status or attempt changed from `previous`
 * (every step when there is none: a new run), and the attempts started or ended.
 */
export function rowsOf(
  plan: Plan, previous: Run.RunState | undefined, next: Run.RunState, inputs: Map<string, Record<string, JsonValue>>, logs: ReadonlyMap<string, CallLogs> = new Map(),
  touched?: ReadonlySet<string>,
): { steps: StepRow[]; attempts: AttemptRow[] } {
  const steps: StepRow[] = [];
  const attempts: AttemptRow[] = [];
  for (const id of candidates(plan, previous, next, touched)) {
    const step = next.steps.get(id);
    if (!step) continue;
    const before = previous?.steps.get(id);
    if (previous && before && before.status === step.status && before.attempt === step.attempt) continue;
    steps.push(stepRow(plan, id, step, inputs));
    if (step.attempt < 1) continue;
    const newAttempt = before?.attempt !== step.attempt;
    const endedNow = before?.status === 'running' && step.status !== 'running';
    if (!newAttempt && !endedNow) continue;
    if (newAttempt && before?.status === 'running' && before.attempt >= 1) {
      // Run again after a takeover: the attempt it replaces was lost with its runner.
      attempts.push({
        step: id, attempt: before.attempt, status: 'failed', error: { code: 'runner_lost', message: 'the runner running this attempt stopped or lost its lease' },
        logs: null, startedAt: before.startedAt ?? new Date(0), finishedAt: step.startedAt ?? null,
      });
    }
    const status = step.status === 'running' ? 'running' : ATTEMPT_ENDS[step.status as keyof typeof ATTEMPT_ENDS];
    if (!status) continue;
    attempts.push({
      step: id, attempt: step.attempt, status, error: step.error ?? null, logs: logs.get(id) ?? null,
      startedAt: step.startedAt ?? next.startedAt ?? new Date(0), finishedAt: status === 'running' ? null : (step.finishedAt ?? null),
    });
  }
  return { steps, attempts };
}

export function endRow(ended: Run.RunEnd, state: Run.RunState, at: Date): RunEndRow {
  switch (ended.status) {
    case 'succeeded':
      return { status: 'succeeded', results: ended.results, error: null, at: state.finishedAt ?? at };
    case 'failed':
      return { status: 'failed', results: null, error: ended.error, at: state.finishedAt ?? at };
    case 'canceled':
      return { status: 'canceled', results: null, error: null, at: state.finishedAt ?? at };
  }
}

/**
 * A call's outcome as the run records it. An ActionError keeps its code and message; the other
 * failures are named by what happened: `timeout`, `runtime_crashed`, `canceled`, or
 * `step_failed` (the action could not be reached, or gave outputs that do not fit).
 * Retryable: timeouts, crashes, an action that could not be reached, and the ActionError codes
 * the step's `retry.on` lists (`error` for any other thrown exception); never a cancel, bad
 * outputs or inputs that cannot be given.
 */
export function outcomeOf(attempt: number, outcome: CallOutcome, retryOn: readonly string[] = []): Run.StepOutcome {
  if (outcome.ok) return { ok: true, attempt, outputs: outcome.outputs };
  const { kind, code, message } = outcome.failure;
  switch (kind) {
    case 'action_error':
      return { ok: false, attempt, error: { code, message }, retryable: code !== 'invalid_inputs' && retryOn.includes(code) };
    case 'timeout':
    case 'runtime_crashed':
      return { ok: false, attempt, error: { code: kind, message }, retryable: true };
    case 'canceled':
      return { ok: false, attempt, error: { code: kind, message }, retryable: false };
    case 'unavailable':
      return { ok: false, attempt, error: { code: 'step_failed', message: `${code}: ${message}` }, retryable: true };
    case 'invalid_output':
      return { ok: false, attempt, error: { code: 'step_failed', message: `${code}: ${message}` }, retryable: false };
  }
}

/**
 * The HTTP status an ActionError chose: its code is the status number ("404") or the status
 * prefixed by `http_` ("http_404"), 400-599. Any other code has none (the trigger answers 500).
 */
export function httpStatusOf(code: string): number | undefined {
  const match = /^(?:http_)?([45]\d\d)$/.exec(code);
  return match ? Number(match[1]) : undefined;
}

function errorOf(error: Run.RunError | null | undefined): RunError | null {
  if (!error) return null;
  const status = httpStatusOf(error.code);
  return { ...error, ...(status !== undefined ? { httpStatus: status } : {}) };
}

export function runEndOf(runId: string, end: StoredEnd): RunEnd {
  return { runId, status: end.status, results: end.results, error: errorOf(end.error) };
}
