import type { JsonValue } from '@trellis/kernel/io';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import { evaluateCondition, evaluateItems, renderResults, type Scope, type StepValues } from './inputs.js';
import { compensationKey, itemKey, itemOf, stepOf, type Plan } from './plan.js';
import { edit, frozen, type Draft } from './step-map.js';

/*
 * The state of one run as plain data, and its transitions. No I/O and no clock: the time of a
 * transition and the project's variables (which `when` and results may read) come in as a
 * `Context`. Each transition returns the new state and what the engine must do: the steps it
 * marked running (to call), those it skipped, and the run's end when it ended.
 *
 * Foreach. A foreach step that runs evaluates its items (a list; at most MAX_ITEMS) and becomes
 * `running` with one item run per item (`<step>[<index>]`, see `itemKey`), all `waiting`, and
 * starts the first `parallelism` of them; each item that ends starts the next. An item runs the
 * step's action with `${{ item }}`, and retries on its own. When every item has ended the step
 * succeeds with each output gathered as a list in item order (null where an item gave none), or
 * fails with its first failed item's error; with `fail_fast` it fails at the first (the items
 * running finish, no other starts). No items: it succeeds at once with no outputs.
 *
 * Compensation (a saga). Once a run has failed and nothing is running, the compensations run one
 * at a time before it ends: first that of each failed step (in the order they failed), then
 * those of the steps that had succeeded, the last to finish first. A compensation's run has its
 * own id in the run (`<compensation>:<step it compensates>`, see `compensationKey`) and is
 * recorded like any step; it reads `${{ failure.* }}` (the compensated step, its inputs, its
 * error). A compensation that fails is recorded and the next one runs; the run ends failed with
 * its first error. The queue is computed from the state each time (never stored), so a takeover
 * goes on where it was. A canceled run runs no compensation.
 *
 * Retries. A failed attempt whose failure is retryable (the engine says: timeouts, crashes, an
 * unreachable action, ActionError codes the step's `retry.on` lists), of a step whose `retry`
 * allows another attempt, while no other step has failed, leaves the step `retrying` with the
 * time of its next attempt (exponential backoff with full jitter, capped by `max_delay`); nothing
 * runs meanwhile. `retryDue` starts that attempt. A step failing for good fails the run, and a
 * step waiting to retry is then canceled (it holds nothing).
 *
 * When a step runs (`when` and "live paths"). A waiting step is decided once every step it
 * depends on has finished (succeeded or skipped):
 *   - if it has no dependencies, or at least one of them succeeded, its `when` is evaluated
 *     (no `when` is true): true -> it runs; false -> it is skipped;
 *   - if every dependency was skipped, it is skipped: no live path reaches it.
 * So a step runs exactly when its `when` holds and a live path reaches it: a chain of
 * dependencies from a root in which every step ran and succeeded. Examples:
 *   - chain a -> b -> c, b's `when` false: b and c are skipped.
 *   - diamond a -> {b, c} -> d, b's `when` false: b is skipped, d runs (through c) and reads
 *     b's outputs as null; with both b and c false, d is skipped.
 *   - c needs a and b, b's `when` false: c runs (a succeeded: another live path).
 *   - a root whose `when` is false is skipped at once, and so are the steps below it that no
 *     other live path reaches.
 * A `when` that cannot be evaluated (a missing reference, not a boolean) fails its step.
 *
 * Failure. Once a step has failed, no new step starts; the steps running finish (their outcomes
 * are recorded), then the run fails with the first failure as its error and the steps that
 * never started are `canceled`. A run whose steps all succeeded or were skipped succeeds with
 * its results (a reference to a skipped step gives null); results that cannot be rendered fail
 * the run. `cancel` ends a run at once: its running and waiting steps become `canceled`, and an
 * outcome arriving later for one of them is refused (`StepNotRunning`).
 */

export type StepStatus = 'waiting' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'skipped' | 'canceled';
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';

export type StepError = { readonly code: string; readonly message: string };
/** Why a run failed: a step's error (with the step), or its results' rendering. */
export type RunError = StepError & { readonly step?: string };

export type StepState = {
  readonly status: StepStatus;
  /** The attempt running or last run; 0 before the first. */
  readonly attempt: number;
  readonly outputs?: StepValues;
  readonly error?: StepError;
  readonly startedAt?: Date;
  readonly finishedAt?: Date;
  /** When a `retrying` step's next attempt starts. */
  readonly retryAt?: Date;
  /** A running foreach step: its items and how far they are (in memory; rebuilt on a takeover). */
  readonly foreach?: ForeachProgress;
};

export type ForeachProgress = {
  readonly items: readonly JsonValue[];
  /** Items started so far (they start in index order). */
  readonly started: number;
  /** Items started and not ended (running or waiting to retry). */
  readonly inFlight: number;
  readonly failed: number;
};

/** The most items one foreach step takes. */
export const MAX_ITEMS = 10_000;

export type RunState = {
  readonly status: RunStatus;
  readonly triggerOutputs: StepValues;
  /** Every step of the normal flow (compensations are not in it). */
  readonly steps: ReadonlyMap<string, StepState>;
  readonly startedAt?: Date;
  readonly finishedAt?: Date;
  /** The first failure, set as soon as a step fails (the run may still have steps running). */
  readonly error?: RunError;
  readonly results?: Readonly<Record<string, JsonValue>>;
};

/**
 * The time of the transition, and the project's variables as they are now; `random` (in [0, 1))
 * draws a retry's jitter (the largest delay when absent).
 */
export type Context = { readonly at: Date; readonly variables: ReadonlyMap<string, JsonValue>; readonly random?: () => number };

export type StepOutcome =
  | { readonly ok: true; readonly attempt: number; readonly outputs: StepValues }
  | { readonly ok: false; readonly attempt: number; readonly error: StepError; readonly retryable?: boolean };

export type RunEnd =
  | { readonly status: 'succeeded'; readonly results: Readonly<Record<string, JsonValue>> }
  | { readonly status: 'failed'; readonly error: RunError }
  | { readonly status: 'canceled' };

export type Transition = {
  readonly state: RunState;
  /** Steps this transition marked running (or running again, after a takeover): the engine calls them. */
  readonly start: readonly string[];
  /** Steps this transition skipped. */
  readonly skipped: readonly string[];
  /** Steps this transition failed because their `when` could not be evaluated. */
  readonly failed: readonly string[];
  /** Steps waiting for their next attempt (`retryAt`): this transition's, or every one on a resume. */
  readonly retrying: readonly string[];
  /** Set when this transition ended the run. */
  readonly ended?: RunEnd;
};

export type TransitionRejection =
  | { readonly type: 'RunNotRunning'; readonly status: RunStatus }
  | { readonly type: 'UnknownStep'; readonly step: string }
  | { readonly type: 'StepNotRunning'; readonly step: string; readonly status: StepStatus }
  | { readonly type: 'StaleAttempt'; readonly step: string; readonly attempt: number; readonly running: number }
  | { readonly type: 'StepNotRetrying'; readonly step: string; readonly status: StepStatus }
  | { readonly type: 'NotAWait'; readonly step: string };

/** A step still holds the run open: running, or waiting to retry. */
const IN_FLIGHT: readonly StepStatus[] = ['running', 'retrying'];

/** The delay before the attempt after `failedAttempt`: full jitter under min(max_delay, backoff * 2^(failedAttempt - 1)). */
export function retryDelayMs(retry: { readonly backoffMs: number; readonly maxDelayMs: number }, failedAttempt: number, random: () => number): number {
  const cap = Math.min(retry.maxDelayMs, retry.backoffMs * 2 ** Math.min(failedAttempt - 1, 40));
  return Math.floor(Math.min(Math.max(random(), 0), 1) * cap);
}

const FINISHED: readonly StepStatus[] = ['succeeded', 'skipped'];

/** The values `when` and results read: succeeded steps' outputs, null for skipped ones. */
function scopeOf(plan: Plan, triggerOutputs: StepValues, steps: ReadonlyMap<string, StepState>, variables: ReadonlyMap<string, JsonValue>): Scope & { steps: Map<string, StepValues | null> } {
  const values = new Map<string, StepValues | null>();
  // The normal flow only (items are read through their foreach step; nothing reads a compensation): never a pass over every item.
  for (const id of plan.order) {
    const step = steps.get(id);
    if (!step) continue;
    if (step.status === 'succeeded') values.set(id, step.outputs ?? {});
    else if (step.status === 'skipped') values.set(id, null);
  }
  return { trigger: triggerOutputs, steps: values, variables, secret: () => undefined };
}

/**
 * Decides every waiting step whose dependencies have all finished, in topological order (so a
 * skip is seen by the steps below it in the same pass), then ends the run if nothing is left.
 */
function advance(plan: Plan, state: RunState, context: Context, restarted: readonly string[], retrying: readonly string[] = [], stepsCopied = false): Transition {
  // A caller that already made the transition's draft hands it over (one draft per transition; see step-map.ts).
  const steps = stepsCopied ? (state.steps as Draft<StepState>) : edit(state.steps);
  const start = [...restarted];
  const skipped: string[] = [];
  const failed: string[] = [];
  let error = state.error;
  // Made when a step first needs it (a `when`, a foreach's items): most transitions of a chain
  // decide one step with neither, and the scope is a pass over every step. Made later, it reads
  // the decisions written to `steps` before it; those after are written to it as they are made.
  let made: ReturnType<typeof scopeOf> | undefined;
  const scope = () => (made ??= scopeOf(plan, state.triggerOutputs, steps, context.variables));
  for (const id of plan.order) {
    if (error) break;
    const current = steps.get(id);
    if (current?.status !== 'waiting') continue;
    const step = stepOf(plan, id);
    const dependencies = step.dependencies.map((dependency) => steps.get(dependency)?.status ?? 'waiting');
    if (!dependencies.every((status) => FINISHED.includes(status))) continue;
    const live = dependencies.length === 0 || dependencies.includes('succeeded');
    const condition = live && step.when ? evaluateCondition(step.when, scope()) : ok(live);
    if (!condition.ok) {
      error = { step: id, ...condition.error };
      steps.set(id, { ...current, status: 'failed', error: condition.error, finishedAt: context.at });
      failed.push(id);
    } else if (!condition.value) {
      steps.set(id, { ...current, status: 'skipped', finishedAt: context.at });
      made?.steps.set(id, null);
      skipped.push(id);
    } else if (step.foreach) {
      const items = evaluateItems(step.foreach, scope());
      const problem = !items.ok ? items.error
        : items.value.length > MAX_ITEMS ? { code: 'too_many_items', message: `foreach: ${items.value.length} items, more than the ${MAX_ITEMS} a step takes` } : undefined;
      if (problem || !items.ok) {
        const stepError = problem ?? { code: 'foreach_failed', message: 'foreach failed' };
        error = { step: id, ...stepError };
        steps.set(id, { ...current, status: 'failed', error: stepError, finishedAt: context.at });
        failed.push(id);
      } else if (items.value.length === 0) {
        steps.set(id, { status: 'succeeded', attempt: 1, startedAt: context.at, finishedAt: context.at, outputs: {} });
        made?.steps.set(id, {});
      } else {
        items.value.forEach((_, index) => steps.set(itemKey(id, index), { status: 'waiting', attempt: 0 }));
        const progress: ForeachProgress = { items: items.value, started: 0, inFlight: 0, failed: 0 };
        steps.set(id, { status: 'running', attempt: 1, startedAt: context.at, foreach: startItems(step.parallelism, id, progress, steps, start, context.at) });
      }
    } else {
      steps.set(id, { status: 'running', attempt: current.attempt + 1, startedAt: context.at });
      start.push(id);
    }
  }
  if (error) {
    // A failed run starts nothing more: a step waiting to retry gives up, a foreach step with no item in flight ends.
    const retryingSteps = [...steps].filter(([, step]) => step.status === 'retrying');
    for (const [id, step] of retryingSteps) steps.set(id, { ...step, status: 'canceled', finishedAt: context.at });
    for (const id of plan.order) {
      const step = steps.get(id);
      if (!step?.foreach) continue;
      const inFlight = step.foreach.items.filter((_, index) => steps.get(itemKey(id, index))?.status === 'running').length;
      steps.set(id, { ...step, foreach: { ...step.foreach, inFlight }, ...(step.status === 'running' && inFlight === 0 ? { status: 'canceled', finishedAt: context.at } : {}) });
    }
  }
  // The state as it is now: the draft frozen at each return (a compensation may still be written below).
  const next = (): RunState => ({ ...state, status: 'running', steps: frozen(steps), ...(error ? { error } : {}) });
  const done = { start, skipped, failed, retrying: retrying.filter((id) => steps.get(id)?.status === 'retrying') };
  // Items are in flight while their foreach step runs; compensations exist only once the run failed.
  const inFlight = (id: string) => IN_FLIGHT.includes(steps.get(id)?.status ?? 'waiting') || (steps.get(id)?.foreach?.inFlight ?? 0) > 0;
  if (plan.order.some(inFlight) || (error && compensationQueue(plan, steps).some(inFlight))) return { state: next(), ...done };
  let failure = error;
  if (!failure) {
    if (plan.order.some((id) => steps.get(id)?.status === 'waiting')) throw new Error('A waiting step is left with nothing running: the plan is not a DAG');
    const results = renderResults(plan, scopeOf(plan, state.triggerOutputs, steps, context.variables));
    if (results.ok) return endRun(next(), { status: 'succeeded', results: results.value }, context.at, done);
    failure = { code: results.error.code, message: results.error.message };
  }
  // Failed: the next compensation not run yet starts; when none is left, the run ends.
  const compensation = compensationQueue(plan, steps).find((key) => !steps.has(key));
  if (compensation !== undefined) {
    steps.set(compensation, { status: 'running', attempt: 1, startedAt: context.at });
    return { state: { ...next(), error: failure }, ...done, start: [...start, compensation] };
  }
  return endRun({ ...next(), error: failure }, { status: 'failed', error: failure }, context.at, done);
}

/**
 * The compensations a failed run owes, in the order they run: each failed step's (in the order
 * they failed), then each succeeded step's, the last to finish first. Keys (`compensationKey`).
 */
export function compensationQueue(plan: Plan, steps: ReadonlyMap<string, StepState>): string[] {
  const byEnd = (status: StepStatus) => plan.order
    .map((id, index) => ({ id, index, step: steps.get(id) }))
    .filter((entry) => entry.step?.status === status && stepOf(plan, entry.id).onFailure !== undefined)
    .sort((a, b) => ((a.step?.finishedAt?.getTime() ?? 0) - (b.step?.finishedAt?.getTime() ?? 0)) || a.index - b.index);
  const failed = byEnd('failed');
  const succeeded = byEnd('succeeded').reverse();
  return [...failed, ...succeeded].map((entry) => compensationKey(stepOf(plan, entry.id).onFailure as string, entry.id));
}

/** What a compensation run reads as `${{ failure }}`: the step it compensates, with its inputs and error. */
export function failureOf(state: RunState, key: string, inputs: Readonly<Record<string, JsonValue>> | undefined): JsonValue | undefined {
  const colon = key.indexOf(':');
  if (colon < 0) return undefined;
  const id = key.slice(colon + 1);
  const step = state.steps.get(id);
  const error = step?.error ?? state.error;
  return {
    step: id, attempts: step?.attempt ?? 0, inputs: inputs ?? {},
    error: error ? { code: error.code, message: error.message } : null,
  };
}

/** The run ended: steps that never started (or were running, on cancel) become canceled. */
function endRun(state: RunState, end: RunEnd, at: Date, done: Omit<Transition, 'state' | 'ended'>): Transition {
  const steps = edit(state.steps);
  const open = [...steps].filter(([, step]) => step.status === 'waiting' || IN_FLIGHT.includes(step.status));
  for (const [id, step] of open) steps.set(id, { ...step, status: 'canceled', finishedAt: at });
  const ended: RunState = { ...state, status: end.status, steps: frozen(steps), finishedAt: at, ...(end.status === 'succeeded' ? { results: end.results } : {}) };
  return { state: ended, ...done, ended: end };
}

function waitingSteps(plan: Plan): Map<string, StepState> {
  return new Map(plan.order.map((id) => [id, { status: 'waiting', attempt: 0 }]));
}

/** A new run: its roots start (or are skipped, with what only they reached, when their `when` is false). */
export function startRun(plan: Plan, triggerOutputs: StepValues, context: Context, reused: ReadonlyMap<string, StepValues> = new Map()): Transition {
  const steps = waitingSteps(plan);
  // A re-run from where a run broke: the steps that had succeeded keep their outputs (attempt 0: never called here).
  for (const [id, outputs] of reused) {
    if (steps.has(id)) steps.set(id, { status: 'succeeded', attempt: 0, outputs, startedAt: context.at, finishedAt: context.at });
  }
  const state: RunState = { status: 'running', triggerOutputs, steps, startedAt: context.at };
  return advance(plan, state, context, []);
}

/** A running step's outcome recorded, and what it makes ready, skips or ends. */
export function stepFinished(plan: Plan, state: RunState, stepId: string, outcome: StepOutcome, context: Context): Result<Transition, TransitionRejection> {
  if (state.status !== 'running') return rejected({ type: 'RunNotRunning', status: state.status });
  const step = state.steps.get(stepId);
  if (!step) return rejected({ type: 'UnknownStep', step: stepId });
  if (step.status !== 'running') return rejected({ type: 'StepNotRunning', step: stepId, status: step.status });
  if (outcome.attempt !== step.attempt) return rejected({ type: 'StaleAttempt', step: stepId, attempt: outcome.attempt, running: step.attempt });
  const policy = stepOf(plan, stepId).retry;
  if (!outcome.ok && outcome.retryable === true && policy && step.attempt < policy.attempts && !state.error) {
    const delay = retryDelayMs(policy, step.attempt, context.random ?? (() => 1));
    const retrying: StepState = { ...step, status: 'retrying', error: outcome.error, finishedAt: context.at, retryAt: new Date(context.at.getTime() + delay) };
    return ok(advance(plan, { ...state, steps: edit(state.steps).set(stepId, retrying) }, context, [], [stepId], true));
  }
  const finished: StepState = outcome.ok
    ? { ...step, status: 'succeeded', outputs: outcome.outputs, finishedAt: context.at }
    : { ...step, status: 'failed', error: outcome.error, finishedAt: context.at };
  const steps = edit(state.steps).set(stepId, finished);
  const item = itemOf(stepId);
  if (item) {
    const { started, failure } = itemEnded(plan, steps, item.step, outcome.ok, context.at, state.error !== undefined);
    const error = state.error ?? failure;
    return ok(advance(plan, { ...state, steps, ...(error ? { error } : {}) }, context, started, [], true));
  }
  const error = state.error ?? (outcome.ok ? undefined : { step: stepId, ...outcome.error });
  return ok(advance(plan, { ...state, steps, ...(error ? { error } : {}) }, context, [], [], true));
}

/** Starts waiting items of `step` (in index order) while fewer than `parallelism` are in flight; the keys started are pushed on `start`. */
function startItems(parallelism: number, step: string, progress: ForeachProgress, steps: Map<string, StepState>, start: string[], at: Date): ForeachProgress {
  let { started, inFlight } = progress;
  while (inFlight < parallelism && started < progress.items.length) {
    const key = itemKey(step, started);
    steps.set(key, { status: 'running', attempt: 1, startedAt: at });
    start.push(key);
    started += 1;
    inFlight += 1;
  }
  return { ...progress, started, inFlight };
}

/**
 * An item of `step` ended (succeeded, or failed for good): the foreach step counts it, starts the
 * next items, or ends (its outputs gathered, or the first failed item's error). Returns the items
 * started and, when the step failed, the run's error.
 */
function itemEnded(plan: Plan, steps: Map<string, StepState>, step: string, succeeded: boolean, at: Date, runFailed: boolean): { started: string[]; failure?: RunError } {
  const parent = steps.get(step);
  const progress = parent?.foreach;
  if (!parent || !progress) return { started: [] };
  if (parent.status !== 'running') {
    // It failed (fail_fast) or was canceled: the item is counted out, nothing more starts.
    steps.set(step, { ...parent, foreach: { ...progress, inFlight: progress.inFlight - 1 } });
    return { started: [] };
  }
  const counted: ForeachProgress = { ...progress, inFlight: progress.inFlight - 1, failed: progress.failed + (succeeded ? 0 : 1) };
  const planStep = stepOf(plan, step);
  const firstFailure = () => {
    for (let index = 0; index < counted.items.length; index++) {
      const item = steps.get(itemKey(step, index));
      if (item?.status === 'failed') return { code: item.error?.code ?? 'failed', message: `item ${index}: ${item.error?.message ?? 'failed'}` };
    }
    return { code: 'failed', message: 'an item failed' };
  };
  if (counted.failed > 0 && (planStep.failFast || counted.inFlight === 0 && counted.started === counted.items.length)) {
    const error = firstFailure();
    steps.set(step, { ...parent, status: 'failed', error, finishedAt: at, foreach: counted });
    return { started: [], failure: { step, ...error } };
  }
  if (counted.inFlight === 0 && counted.started === counted.items.length) {
    steps.set(step, { ...parent, status: 'succeeded', outputs: gathered(step, counted.items.length, steps), finishedAt: at, foreach: counted });
    return { started: [] };
  }
  const started: string[] = [];
  const next = runFailed ? counted : startItems(planStep.parallelism, step, counted, steps, started, at);
  steps.set(step, { ...parent, foreach: next });
  return { started };
}

/** Each output of the items as a list in item order (null where an item gave none). */
function gathered(step: string, count: number, steps: ReadonlyMap<string, StepState>): Record<string, JsonValue> {
  const outputs = Array.from({ length: count }, (_, index) => steps.get(itemKey(step, index))?.outputs ?? {});
  const names = [...new Set(outputs.flatMap((values) => Object.keys(values)))];
  return Object.fromEntries(names.map((name) => [name, outputs.map((values) => values[name] ?? null)]));
}

/** A `retrying` step's time has come: its next attempt starts. */
export function retryDue(plan: Plan, state: RunState, stepId: string, context: Context): Result<Transition, TransitionRejection> {
  if (state.status !== 'running') return rejected({ type: 'RunNotRunning', status: state.status });
  const step = state.steps.get(stepId);
  if (!step) return rejected({ type: 'UnknownStep', step: stepId });
  if (step.status !== 'retrying') return rejected({ type: 'StepNotRetrying', step: stepId, status: step.status });
  const steps = edit(state.steps).set(stepId, { status: 'running', attempt: step.attempt + 1, startedAt: context.at });
  return ok(advance(plan, { ...state, steps }, context, [stepId], [], true));
}

/** Ends a queued or running run at once; `abort` lists the steps whose calls must be cancelled. */
export function cancel(state: RunState, at: Date): Result<{ state: RunState; abort: readonly string[] }, TransitionRejection> {
  return endNow(state, { status: 'canceled' }, at);
}

/**
 * The run's own deadline (`timeout` of the workflow) passed: it fails at once with
 * `run_timeout`, like a cancel (its calls are aborted, no compensation runs: the time is up).
 */
export function runTimedOut(state: RunState, timeoutMs: number, at: Date): Result<{ state: RunState; abort: readonly string[]; error: RunError }, TransitionRejection> {
  const error: RunError = { code: 'run_timeout', message: `the run took longer than its timeout (${timeoutMs} ms)` };
  const ended = endNow({ ...state, error }, { status: 'failed', error }, at);
  return ended.ok ? ok({ ...ended.value, error }) : ended;
}

function endNow(state: RunState, end: RunEnd, at: Date): Result<{ state: RunState; abort: readonly string[] }, TransitionRejection> {
  if (state.status !== 'running' && state.status !== 'queued') return rejected({ type: 'RunNotRunning', status: state.status });
  const abort = [...state.steps].filter(([, step]) => step.status === 'running').map(([id]) => id);
  const ended = endRun(state, end, at, { start: [], skipped: [], failed: [], retrying: [] });
  return ok({ state: ended.state, abort });
}

/** A running wait step, or why it is not one. */
function runningWait(plan: Plan, state: RunState, stepId: string): Result<StepState, TransitionRejection> {
  if (state.status !== 'running') return rejected({ type: 'RunNotRunning', status: state.status });
  const step = state.steps.get(stepId);
  if (!step) return rejected({ type: 'UnknownStep', step: stepId });
  if (!stepOf(plan, stepId).wait) return rejected({ type: 'NotAWait', step: stepId });
  if (step.status !== 'running') return rejected({ type: 'StepNotRunning', step: stepId, status: step.status });
  return ok(step);
}

/** A wait step's signal came: the step succeeds with the signal's payload as its outputs. */
export function signalArrived(plan: Plan, state: RunState, stepId: string, payload: StepValues, context: Context): Result<Transition, TransitionRejection> {
  const step = runningWait(plan, state, stepId);
  if (!step.ok) return step;
  return stepFinished(plan, state, stepId, { ok: true, attempt: step.value.attempt, outputs: payload }, context);
}

/** When a running wait step gives up: its start plus the wait's timeout (undefined: it waits without end). */
export function waitDeadline(plan: Plan, state: RunState, stepId: string): Date | undefined {
  const timeoutMs = stepOf(plan, stepId).wait?.timeoutMs;
  const startedAt = state.steps.get(stepId)?.startedAt;
  return timeoutMs === undefined || !startedAt ? undefined : new Date(startedAt.getTime() + timeoutMs);
}

/**
 * A wait step's time is up: a delay (no signal) succeeds with no outputs; a wait for a signal that
 * did not come fails (`signal_timeout`) or is skipped, as its `on_timeout` says.
 */
export function waitTimedOut(plan: Plan, state: RunState, stepId: string, context: Context): Result<Transition, TransitionRejection> {
  const step = runningWait(plan, state, stepId);
  if (!step.ok) return step;
  const wait = stepOf(plan, stepId).wait;
  if (wait?.onTimeout === 'succeed') return stepFinished(plan, state, stepId, { ok: true, attempt: step.value.attempt, outputs: {} }, context);
  if (wait?.onTimeout === 'skip') {
    const steps = edit(state.steps).set(stepId, { ...step.value, status: 'skipped', finishedAt: context.at });
    return ok(advance(plan, { ...state, steps }, context, [], [], true));
  }
  const error = { code: 'signal_timeout', message: `no signal ${wait?.signal ?? ''} within ${wait?.timeoutMs ?? 0} ms` };
  return stepFinished(plan, state, stepId, { ok: false, attempt: step.value.attempt, error }, context);
}

/**
 * The progress of each running foreach step, rebuilt after a takeover: its items evaluated again
 * from the run's values (the trigger and the steps it reads have not changed), its counts from
 * its items' states.
 */
function rebuildForeach(plan: Plan, state: RunState, context: Context): Result<void, TransitionRejection> {
  const steps = state.steps as Map<string, StepState>;
  const scope = scopeOf(plan, state.triggerOutputs, steps, context.variables);
  for (const id of plan.order) {
    const step = steps.get(id);
    const template = plan.steps.get(id)?.foreach;
    if (step?.status !== 'running' || !template) continue;
    const items = evaluateItems(template, scope);
    if (!items.ok) return rejected({ type: 'UnknownStep', step: id });
    let started = 0;
    let inFlight = 0;
    let failed = 0;
    items.value.forEach((_, index) => {
      const item = steps.get(itemKey(id, index));
      if (!item) steps.set(itemKey(id, index), { status: 'waiting', attempt: 0 });
      if (!item || item.status === 'waiting') return;
      started += 1;
      if (IN_FLIGHT.includes(item.status)) inFlight += 1;
      if (item.status === 'failed') failed += 1;
    });
    steps.set(id, { ...step, foreach: { items: items.value, started, inFlight, failed } });
  }
  return ok(undefined);
}

/** A step as persisted (`step_runs`); a step without a row is waiting. */
export type PersistedStep = StepState & { readonly id: string };

export type PersistedRun = {
  readonly status: RunStatus;
  readonly triggerOutputs: StepValues;
  readonly steps: readonly PersistedStep[];
  readonly startedAt?: Date;
  readonly finishedAt?: Date;
  readonly error?: RunError;
  readonly results?: Readonly<Record<string, JsonValue>>;
};

/**
 * A run taken over (after a restart, or from a process whose lease expired): its state rebuilt
 * from what was persisted. Steps that were running start again with the next attempt number;
 * a queued run starts; a run that had ended is given back as it was, with nothing to start.
 */
export function resumeRun(plan: Plan, persisted: PersistedRun, context: Context): Result<Transition, TransitionRejection> {
  const steps = waitingSteps(plan);
  for (const { id, ...step } of persisted.steps) {
    const colon = id.indexOf(':');
    const item = itemOf(id);
    const known = colon >= 0 ? plan.compensations.includes(id.slice(0, colon)) && plan.steps.has(id.slice(colon + 1))
      : item ? plan.steps.get(item.step)?.foreach !== undefined : steps.has(id);
    if (!known) return rejected({ type: 'UnknownStep', step: id });
    steps.set(id, step);
  }
  const { status, triggerOutputs, startedAt, finishedAt, error, results } = persisted;
  const state: RunState = {
    status, triggerOutputs, steps,
    ...(startedAt ? { startedAt } : {}), ...(finishedAt ? { finishedAt } : {}), ...(results ? { results } : {}),
    ...(error ? { error } : {}),
  };
  if (status !== 'running' && status !== 'queued') return ok({ state, start: [], skipped: [], failed: [], retrying: [] });
  const rebuilt = rebuildForeach(plan, state, context);
  if (!rebuilt.ok) return rebuilt;
  const restarted: string[] = [];
  for (const id of [...plan.order, ...[...steps.keys()].filter((key) => key.includes(':') || itemOf(key) !== undefined)]) {
    const step = steps.get(id);
    // A foreach step is not called: its items are. A wait step calls nothing: it goes on waiting.
    if (step?.status !== 'running' || step.foreach || stepOf(plan, id).wait) continue;
    steps.set(id, { status: 'running', attempt: step.attempt + 1, startedAt: context.at });
    restarted.push(id);
  }
  const firstFailure = state.error ?? plan.order.flatMap((id) => {
    const step = steps.get(id);
    return step?.status === 'failed' ? [{ step: id, ...(step.error ?? { code: 'failed', message: 'the step failed' }) }] : [];
  })[0];
  const retrying = plan.order.filter((id) => steps.get(id)?.status === 'retrying');
  return ok(advance(plan, { ...state, startedAt: startedAt ?? context.at, ...(firstFailure ? { error: firstFailure } : {}) }, context, restarted, retrying));
}
