import type { Clock, Ids } from '@trellis/kernel/ports';
import type { JsonValue } from '@trellis/kernel/io';
import { ok, rejected } from '@trellis/kernel/result';
import { stepOf } from '../domain/plan.js';
import * as Run from '../domain/run.js';
import { withStepResources } from './action-refs.js';
import type { Engine, RunEnd } from './engine-port.js';
import { callValuesOf, storedOutputs } from './call-values.js';
import { makeOffloader, restoreRecord } from './large-values.js';
import type { ProjectValues } from './ports.js';
import type { RunObjects } from './run-objects.js';
import { endRow, outcomeOf, rowsOf, runEndOf, settle, type RunValues, type Settled } from './run-rows.js';
import type { ClaimedRun, RunEndRow, RunStore, StepRow, StoredEnd, TransitionWrite } from './run-store.js';
import type { ActionSite, CallLogs, CallOutcome } from './site.js';
import { maskedOutcome, secretsOfCall } from './masked-outcome.js';
import { makeVersionCache, type RunnableVersion } from './versions.js';

/*
 * The engine (DESIGN section 8): the process that owns a run keeps its plan, state and outputs
 * in memory, calls each started step over the site, and commits one transition per outcome (the
 * step's outcome fenced by its attempt and the run's owner epoch, the steps it starts with
 * their inputs, the run's end), then calls the next steps: no broker hop, no poll between steps.
 * A fenced commit means another process owns the run now: the outcome is dropped and the run
 * forgotten here. Transitions of one run are committed in the order they were made.
 */

export type EngineLog = { info: (message: string, fields: Record<string, unknown>) => unknown; warn: (message: string, fields: Record<string, unknown>) => unknown };

export type EngineDeps = {
  store: RunStore;
  site: Pick<ActionSite, 'call'>;
  values: ProjectValues;
  /** Files and large values of runs. */
  objects: RunObjects;
  /** A value whose JSON passes this many bytes is kept in the object store, not in its row. */
  inlineValueBytes: number;
  clock: Clock;
  ids: Ids;
  log: EngineLog;
  /** A step's deadline when neither the step nor its action sets one. */
  defaultTimeoutMs: number;
  /** How often the end of a run owned elsewhere is polled. */
  pollMs: number;
  /** Draws retry jitter in [0, 1). */
  random: () => number;
};

type Live = {
  readonly id: string;
  readonly projectId: string;
  readonly version: RunnableVersion;
  readonly values: RunValues;
  epoch: number;
  state: Run.RunState;
  readonly inputs: Map<string, Record<string, JsonValue>>;
  readonly calls: Map<string, AbortController>;
  /** Timers: a step's next attempt (key: its id), a wait step's timeout (`wait:<id>`), the run's own timeout (RUN_TIMER). */
  readonly timers: Map<string, NodeJS.Timeout>;
  /** Set while a write of the run waits for its large values to be stored (later writes wait for it). */
  storing?: Promise<void>;
  readonly end: Promise<RunEnd>;
  readonly resolve: (end: RunEnd | Promise<RunEnd>) => void;
};

export type RunningEngine = Engine & {
  /** Takes over up to `limit` orphaned runs; true when it took that many (there may be more). */
  takeOver: (limit: number) => Promise<boolean>;
  /** The runs this process holds in memory. */
  owned: () => number;
  /** A signal was kept (by any process): the runs held here apply theirs. */
  signaled: () => Promise<void>;
  /** Takes no new run, lets the transitions being committed finish, aborts the calls. */
  stop: () => Promise<void>;
};

const COMMIT_RETRIES_MS = [100, 500, 2000];
const RUN_TIMER = '(run)';
/** setTimeout's longest delay (about 24.8 days); a later time is reached in several waits. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const NO_LOGS: CallLogs = { stdout: '', stderr: '', truncated: false };

export function makeEngine(deps: EngineDeps): RunningEngine {
  const { store, log } = deps;
  const versions = makeVersionCache(store);
  const offloader = makeOffloader(deps.inlineValueBytes, deps.objects.putText);
  const getText = deps.objects.getText;
  const live = new Map<string, Live>();
  const commits = new Set<Promise<unknown>>();
  let stopping = false;

  async function valuesOf(projectId: string, version: RunnableVersion): Promise<RunValues> {
    const [variables, secrets] = await Promise.all([
      deps.values.variables(projectId),
      Promise.all(version.secrets.map(async (name) => [name, await deps.values.secret(projectId, name)] as const)),
    ]);
    return { variables: new Map(Object.entries(variables)), secrets: new Map(secrets.filter((s): s is readonly [string, string] => s[1] !== undefined)) };
  }

  function hold(id: string, projectId: string, version: RunnableVersion, values: RunValues, epoch: number, state: Run.RunState, inputs: Map<string, Record<string, JsonValue>>): Live {
    let resolve: Live['resolve'] = () => {};
    const end = new Promise<RunEnd>((r) => { resolve = r; });
    return { id, projectId, version, values, epoch, state, inputs, calls: new Map(), timers: new Map(), end, resolve };
  }

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** The end of a run as stored, polled until it has one (or this process comes to hold it). */
  async function pollEnd(projectId: string, runId: string): Promise<RunEnd | undefined> {
    for (;;) {
      const held = live.get(runId);
      if (held && held.projectId === projectId) return held.end;
      const end = await store.endOf(projectId, runId);
      if (end === undefined) return undefined;
      if (end !== null) return runEndOf(runId, { ...end, results: await restoreRecord(end.results, getText, deps.objects.runsPrefix(projectId)) } satisfies StoredEnd);
      if (stopping) return undefined;
      await sleep(deps.pollMs);
    }
  }

  /** This process no longer holds the run: its calls are aborted, its end is read from the database. */
  function forget(run: Live): void {
    if (live.get(run.id) !== run) return;
    live.delete(run.id);
    for (const call of run.calls.values()) call.abort();
    clearTimers(run);
    run.resolve(pollEnd(run.projectId, run.id).then((end) => end ?? Promise.reject(new Error(`run ${run.id} is gone`))));
  }

  /** The rows with every value over the inline bound moved to the object store. */
  async function offloadSteps(projectId: string, runId: string, steps: readonly StepRow[]): Promise<StepRow[]> {
    return Promise.all(steps.map(async (row) => {
      const keyOf = (which: string) => (name: string) => deps.objects.keyOf(projectId, runId, 'values', row.step, String(row.attempt), which, name);
      const [inputs, outputs] = await Promise.all([offloader.record(row.inputs, keyOf('inputs')), offloader.record(row.outputs, keyOf('outputs'))]);
      return inputs === row.inputs && outputs === row.outputs ? row : { ...row, inputs, outputs };
    }));
  }

  async function offloadEnd(projectId: string, runId: string, end: RunEndRow | undefined): Promise<RunEndRow | undefined> {
    if (!end?.results) return end;
    const results = await offloader.record(end.results, (name) => deps.objects.keyOf(projectId, runId, 'values', 'results', name));
    return results === end.results ? end : { ...end, results };
  }

  /**
   * The write handed to the committer in the order the run made it. Without a large value (the
   * usual case) at once; otherwise after its values are stored, and every later write of the run
   * waits for it, so a transition never overtakes the one before it.
   */
  function inOrder(run: Live, write: TransitionWrite): Promise<'applied' | 'fenced' | 'unknown'> {
    const large = write.steps.some((row) => offloader.needed(row.inputs) || offloader.needed(row.outputs)) || offloader.needed(write.end?.results ?? null);
    if (!large && run.storing === undefined) return commitWithRetry(write);
    const stored = (run.storing ?? Promise.resolve()).then(async () => {
      const [steps, end] = await Promise.all([offloadSteps(run.projectId, run.id, write.steps), offloadEnd(run.projectId, run.id, write.end)]);
      return { ...write, steps, ...(end ? { end } : {}) };
    });
    const storing = stored.then(() => undefined, () => undefined);
    run.storing = storing;
    void storing.then(() => {
      if (run.storing === storing) run.storing = undefined;
    });
    return stored.then(commitWithRetry, (error: unknown) => {
      log.warn('a large value could not be stored; the run is given up for takeover', { run_id: run.id, error: (error as Error).message });
      return 'unknown' as const;
    });
  }

  async function commitWithRetry(write: TransitionWrite): Promise<'applied' | 'fenced' | 'unknown'> {
    let threw = false;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await store.commit(write);
        // After a commit whose answer was lost, "fenced" may be our own write already applied.
        return result === 'fenced' && threw ? 'unknown' : result;
      } catch (error) {
        threw = true;
        const wait = COMMIT_RETRIES_MS[attempt];
        if (wait === undefined || stopping) {
          log.warn('a transition could not be committed; the run is given up for takeover', { run_id: write.runId, error: (error as Error).message });
          return 'unknown';
        }
        await sleep(wait);
      }
    }
  }

  /** Commits the move from `previous` to `settled` (already the run's state in memory), then calls what it started. */
  async function commit(
    run: Live, previous: Run.RunState, settled: Settled, expect: TransitionWrite['expect'], logs?: ReadonlyMap<string, CallLogs>, touched?: readonly string[],
  ): Promise<void> {
    const at = deps.clock();
    const changed = touched ? new Set([...touched, ...settled.started, ...settled.retrying]) : undefined;
    const rows = rowsOf(run.version.plan, previous, settled.state, run.inputs, logs, changed);
    const end = settled.ended ? endRow(settled.ended, settled.state, at) : undefined;
    const write: TransitionWrite = { runId: run.id, epoch: run.epoch, expect, steps: rows.steps, attempts: rows.attempts, ...(end ? { end } : {}) };
    const pending = inOrder(run, write);
    commits.add(pending);
    const result = await pending.finally(() => commits.delete(pending));
    if (result !== 'applied') {
      if (result === 'unknown') await store.release(run.id, run.epoch).catch(() => undefined);
      else log.info('run owned elsewhere now; outcome dropped', { run_id: run.id, epoch: run.epoch });
      forget(run);
      return;
    }
    if (end) {
      live.delete(run.id);
      clearTimers(run);
      run.resolve(runEndOf(run.id, end));
      return;
    }
    for (const id of settled.ready) {
      if (stepOf(run.version.plan, id).wait) void beginWait(run, id);
      else void callStep(run, id);
    }
    for (const id of settled.retrying) armRetry(run, id);
  }

  function clearTimers(run: Live): void {
    for (const timer of run.timers.values()) clearTimeout(timer);
    run.timers.clear();
  }

  /**
   * Runs `fire` at `at` (at once when past). A transition it cannot make gives the run up for
   * takeover, like a failed commit.
   */
  function armAt(run: Live, key: string, at: Date, fire: () => Promise<void>): void {
    clearTimeout(run.timers.get(key));
    const delay = Math.max(0, at.getTime() - deps.clock().getTime());
    run.timers.set(key, setTimeout(() => {
      run.timers.delete(key);
      if (delay > MAX_TIMER_MS) return armAt(run, key, at, fire);
      void fire().catch((error: unknown) => {
        log.warn('a timed transition could not be made; the run is given up for takeover', { run_id: run.id, timer: key, error: (error as Error).message });
        forget(run);
      });
    }, Math.min(delay, MAX_TIMER_MS)));
  }

  /** The step's next attempt starts at its retryAt; meanwhile the run holds no call, only this timer. */
  function armRetry(run: Live, id: string): void {
    const at = run.state.steps.get(id)?.retryAt;
    if (at) armAt(run, id, at, () => retryNow(run, id));
  }

  /** The workflow's `timeout`, counted from the run's start (a takeover arms it again from there). */
  function armRunTimeout(run: Live): void {
    const timeoutMs = run.version.plan.timeoutMs;
    const startedAt = run.state.startedAt;
    if (timeoutMs === undefined || !startedAt) return;
    armAt(run, RUN_TIMER, new Date(startedAt.getTime() + timeoutMs), async () => {
      if (live.get(run.id) !== run || stopping) return;
      const timedOut = Run.runTimedOut(run.state, timeoutMs, deps.clock());
      if (!timedOut.ok) return;
      const previous = run.state;
      run.state = timedOut.value.state;
      for (const id of timedOut.value.abort) run.calls.get(id)?.abort();
      clearTimers(run);
      log.info('run timed out', { run_id: run.id, timeout_ms: timeoutMs });
      await commit(run, previous, { state: timedOut.value.state, ready: [], retrying: [], started: [], ended: { status: 'failed', error: timedOut.value.error } }, []);
    });
  }

  /**
   * A wait step started (or was found waiting on a takeover): it holds no call, only its timeout's
   * timer; a signal already kept for it ends it at once.
   */
  async function beginWait(run: Live, id: string): Promise<void> {
    const deadline = Run.waitDeadline(run.version.plan, run.state, id);
    if (deadline) armAt(run, `wait:${id}`, deadline, () => waitTransition(run, id, (state, context) => Run.waitTimedOut(run.version.plan, state, id, context)));
    await applyKeptSignals(run).catch((error: unknown) => {
      // The signal stays kept: the next notice, or a takeover, applies it.
      log.warn('the signals of a run could not be read', { run_id: run.id, error: (error as Error).message });
    });
  }

  /** The running wait steps of a run. */
  function runningWaits(run: Live): string[] {
    const plan = run.version.plan;
    if (![...plan.steps.values()].some((step) => step.wait)) return [];
    return [...run.state.steps].filter(([id, step]) => step.status === 'running' && !step.foreach && stepOf(plan, id).wait).map(([id]) => id);
  }

  /** Ends each running wait step of the run whose signal is kept (sent to this process or another). */
  async function applyKeptSignals(run: Live): Promise<void> {
    const waiting = runningWaits(run);
    if (waiting.length === 0) return;
    const signals = await store.signalsOf(run.id);
    for (const id of waiting) {
      const signal = signals.find((candidate) => candidate.name === stepOf(run.version.plan, id).wait?.signal);
      if (signal) await waitTransition(run, id, (state, context) => Run.signalArrived(run.version.plan, state, id, signal.payload, context));
    }
  }

  /** A wait step's end (its signal, or its timeout), committed like a call's outcome. */
  async function waitTransition(
    run: Live, id: string, transition: (state: Run.RunState, context: Run.Context) => ReturnType<typeof Run.waitTimedOut>,
  ): Promise<void> {
    if (live.get(run.id) !== run || stopping) return;
    const at = deps.clock();
    const attempt = run.state.steps.get(id)?.attempt ?? 0;
    const next = transition(run.state, { at, variables: run.values.variables, random: deps.random });
    if (!next.ok) return; // ended meanwhile (signal and timeout raced, or the run was canceled)
    clearTimeout(run.timers.get(`wait:${id}`));
    run.timers.delete(`wait:${id}`);
    const previous = run.state;
    const settled = settle(run.version.plan, next.value, run.values, at, run.inputs);
    run.state = settled.state;
    await commit(run, previous, settled, [{ step: id, attempt }], undefined, [id]);
  }

  async function retryNow(run: Live, id: string): Promise<void> {
    if (live.get(run.id) !== run || stopping) return;
    const at = deps.clock();
    const next = Run.retryDue(run.version.plan, run.state, id, { at, variables: run.values.variables });
    if (!next.ok) return; // canceled or ended meanwhile
    const previous = run.state;
    const settled = settle(run.version.plan, next.value, run.values, at, run.inputs);
    run.state = settled.state;
    await commit(run, previous, settled, [], undefined, [id]);
  }

  async function callStep(run: Live, id: string): Promise<void> {
    const step = stepOf(run.version.plan, id);
    const attempt = run.state.steps.get(id)?.attempt ?? 1;
    const pinned = step.action ? `${step.action.id}@${step.action.version}` : '(none)';
    const action = run.version.actions.get(pinned);
    const controller = new AbortController();
    run.calls.set(id, controller);
    let outcome: CallOutcome;
    const secrets = action ? secretsOfCall(run.values.secrets, action.inputs, run.inputs.get(id) ?? {}) : [];
    try {
      if (!action) throw new Error(`the version pins no ${pinned}`);
      const values = await callValuesOf(deps.objects, action, run.inputs.get(id) ?? {}, run.version.files, { projectId: run.projectId, runId: run.id, step: id, attempt });
      if (!values.ok) {
        outcome = { ok: false, failure: { kind: 'action_error', code: 'invalid_inputs', message: values.error }, logs: NO_LOGS, durationMs: 0 };
      } else {
        outcome = await deps.site.call(withStepResources(action, step.resources), {
          executionId: deps.ids(), idempotencyKey: `${run.id}:${id}`, attempt, inputs: values.value.inputs, outputUrls: values.value.outputUrls,
          timeoutMs: step.timeoutMs ?? action.timeoutMs ?? deps.defaultTimeoutMs, signal: controller.signal, secrets,
        });
        if (outcome.ok && values.value.outputObjects.size > 0) {
          const kept = await storedOutputs(deps.objects, action, outcome.outputs, values.value.outputObjects);
          outcome = kept.ok ? { ...outcome, outputs: kept.value } : { ok: false, failure: { kind: 'invalid_output', code: 'bad_output', message: kept.error }, logs: outcome.logs, durationMs: outcome.durationMs };
        }
      }
    } catch (error) {
      outcome = { ok: false, failure: { kind: 'unavailable', code: 'unavailable', message: (error as Error).message }, logs: NO_LOGS, durationMs: 0 };
    }
    run.calls.delete(id);
    outcome = maskedOutcome(outcome, secrets);
    await finished(run, id, attempt, outcome).catch((error: unknown) => {
      log.warn('a step outcome could not be handled; the run is given up for takeover', { run_id: run.id, step: id, error: (error as Error).message });
      forget(run);
    });
  }

  async function finished(run: Live, id: string, attempt: number, outcome: CallOutcome): Promise<void> {
    if (live.get(run.id) !== run || stopping) return;
    const at = deps.clock();
    const retryOn = stepOf(run.version.plan, id).retry?.on ?? [];
    const next = Run.stepFinished(run.version.plan, run.state, id, outcomeOf(attempt, outcome, retryOn), { at, variables: run.values.variables, random: deps.random });
    if (!next.ok) return; // canceled meanwhile, or a stale attempt: nothing to record
    const previous = run.state;
    const settled = settle(run.version.plan, next.value, run.values, at, run.inputs);
    run.state = settled.state;
    await commit(run, previous, settled, [{ step: id, attempt }], new Map([[id, outcome.logs]]), [id]);
  }

  async function adopt(claimed: ClaimedRun): Promise<void> {
    const version = await versions(claimed.workflowId, claimed.version);
    const values = await valuesOf(claimed.projectId, version);
    const at = deps.clock();
    const prefix = deps.objects.runsPrefix(claimed.projectId);
    const steps = await Promise.all(claimed.steps.map(async (step) => (step.outputs ? { ...step, outputs: await restoreRecord(step.outputs, getText, prefix) } : step)));
    const triggerOutputs = await restoreRecord(claimed.triggerOutputs, getText, prefix);
    const persisted: Run.PersistedRun = { status: claimed.status, triggerOutputs, steps, ...(claimed.startedAt ? { startedAt: claimed.startedAt } : {}) };
    const resumed = Run.resumeRun(version.plan, persisted, { at, variables: values.variables });
    if (!resumed.ok) throw new Error(`run ${claimed.id} cannot be resumed: ${resumed.error.type}`);
    const previous = Run.resumeRun(version.plan, { ...persisted, status: 'succeeded' }, { at, variables: values.variables });
    if (!previous.ok) throw new Error(`run ${claimed.id} cannot be read back`);
    const inputs = new Map<string, Record<string, JsonValue>>(await Promise.all(Object.entries(claimed.failedInputs)
      .map(async ([step, stepInputs]) => [step, await restoreRecord(stepInputs, getText, prefix)] as const)));
    const settled = settle(version.plan, resumed.value, values, at, inputs);
    const run = hold(claimed.id, claimed.projectId, version, values, claimed.epoch, settled.state, inputs);
    live.set(run.id, run);
    log.info('run taken over', { run_id: run.id, epoch: run.epoch, restarted: settled.ready });
    armRunTimeout(run);
    const waiting = runningWaits(run).filter((id) => !settled.ready.includes(id));
    await commit(run, { ...previous.value.state, status: claimed.status }, settled, []);
    if (live.get(run.id) === run) for (const id of waiting) void beginWait(run, id);
  }

  return {
    start: async (request) => {
      if (stopping) return rejected({ type: 'Overloaded' } as const);
      const serving = await store.servingVersion(request.workflowId);
      if (!serving || serving.projectId !== request.projectId) return rejected({ type: 'NotServing' } as const);
      const version = await versions(request.workflowId, serving.version);
      const values = await valuesOf(request.projectId, version);
      const at = deps.clock();
      const inputs = new Map<string, Record<string, JsonValue>>();
      const reused = new Map(Object.entries(request.rerun?.reuse ?? {}));
      const settled = settle(version.plan, Run.startRun(version.plan, request.triggerOutputs, { at, variables: values.variables }, reused), values, at, inputs);
      const id = request.runId ?? deps.ids();
      const rows = rowsOf(version.plan, undefined, settled.state, inputs);
      const end = settled.ended ? endRow(settled.ended, settled.state, at) : undefined;
      const [triggerOutputs, steps, storedEnd] = await Promise.all([
        offloader.record(request.triggerOutputs, (name) => deps.objects.keyOf(request.projectId, id, 'values', 'trigger', name)),
        offloadSteps(request.projectId, id, rows.steps), offloadEnd(request.projectId, id, end),
      ]);
      const created = await store.create({
        id, projectId: request.projectId, workflowId: request.workflowId, version: serving.version, triggerType: request.triggerType,
        triggerOutputs, ...(request.idempotencyKey !== undefined ? { idempotencyKey: request.idempotencyKey } : {}), at,
        ...(request.rerun ? { rerunOf: request.rerun.of } : {}),
        steps, attempts: rows.attempts, ...(storedEnd ? { end: storedEnd } : {}),
      });
      if (created.type === 'not_serving') return rejected({ type: 'NotServing' } as const);
      if (created.type === 'existing') {
        const runId = created.runId;
        const finished = pollEnd(request.projectId, runId).then((end) => end ?? Promise.reject(new Error(`run ${runId} is gone`)));
        return ok({ runId, existing: true, finished });
      }
      const run = hold(id, request.projectId, version, values, created.epoch, settled.state, inputs);
      if (end) run.resolve(runEndOf(id, end));
      else {
        live.set(id, run);
        armRunTimeout(run);
        for (const step of settled.ready) {
          if (stepOf(version.plan, step).wait) void beginWait(run, step);
          else void callStep(run, step);
        }
      }
      return ok({ runId: id, existing: false, finished: run.end });
    },

    awaitEnd: (projectId, runId) => pollEnd(projectId, runId),

    cancel: async (projectId, runId) => {
      const run = live.get(runId);
      if (!run || run.projectId !== projectId) {
        const outcome = await store.cancelStored(projectId, runId, deps.clock());
        if (outcome === 'not_found') return rejected({ type: 'RunNotFound' } as const);
        if (outcome === 'finished') return rejected({ type: 'RunFinished' } as const);
        return ok(undefined);
      }
      const at = deps.clock();
      const canceled = Run.cancel(run.state, at);
      if (!canceled.ok) return rejected({ type: 'RunFinished' } as const);
      const previous = run.state;
      run.state = canceled.value.state;
      for (const id of canceled.value.abort) run.calls.get(id)?.abort();
      clearTimers(run);
      await commit(run, previous, { state: canceled.value.state, ready: [], retrying: [], started: [], ended: { status: 'canceled' } }, []);
      return ok(undefined);
    },

    takeOver: async (limit) => {
      if (stopping) return false;
      const claimed = await store.claimOrphans(limit);
      for (const run of claimed) {
        await adopt(run).catch(async (error: unknown) => {
          log.warn('a run could not be taken over; released for another try', { run_id: run.id, error: (error as Error).message });
          await store.release(run.id, run.epoch).catch(() => undefined);
        });
      }
      return claimed.length >= limit;
    },

    owned: () => live.size,

    signal: async (projectId, runId, name, payload) => {
      const held = live.get(runId);
      const run = held?.projectId === projectId ? held : undefined;
      // A run held here has its plan in memory; another is found in the store, its plan by its version.
      const storedPlan = async () => {
        const placed = await store.placeOf(projectId, runId);
        return placed ? (await versions(placed.workflowId, placed.version)).plan : undefined;
      };
      const plan = run ? run.version.plan : await storedPlan();
      if (!plan) return rejected({ type: 'RunNotFound' } as const);
      const stepId = [...plan.steps.values()].find((step) => step.wait?.signal === name)?.id;
      if (stepId === undefined) return rejected({ type: 'UnknownSignal', signals: [...plan.steps.values()].flatMap((step) => (step.wait?.signal === undefined ? [] : [step.wait.signal])) } as const);
      const status = run?.state.steps.get(stepId)?.status;
      if (status && status !== 'waiting' && status !== 'running') {
        const signaled = (await store.signalsOf(runId)).some((kept) => kept.name === name);
        return rejected(signaled ? { type: 'AlreadySignaled', step: stepId } as const : { type: 'StepEnded', step: stepId, status } as const);
      }
      const kept = await store.recordSignal({ projectId, runId, name, payload });
      if (kept === 'not_found') return rejected({ type: 'RunNotFound' } as const);
      if (kept === 'finished') return rejected({ type: 'RunFinished' } as const);
      if (kept === 'duplicate') return rejected({ type: 'AlreadySignaled', step: stepId } as const);
      if (run) await applyKeptSignals(run);
      return ok({ step: stepId });
    },

    signaled: async () => {
      for (const run of [...live.values()]) {
        await applyKeptSignals(run).catch((error: unknown) => {
          log.warn('the signals of a run could not be read', { run_id: run.id, error: (error as Error).message });
        });
      }
    },

    stop: async () => {
      stopping = true;
      await Promise.allSettled([...commits]);
      // Their ends come from whichever process takes them over.
      for (const run of [...live.values()]) forget(run);
    },
  };
}
