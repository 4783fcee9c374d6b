import type { JsonValue } from '@trellis/kernel/io';
import { describe, expect, it } from 'vitest';
import * as Plan from './plan.js';
import * as Run from './run.js';

const PIN: Plan.Pin = { actionId: 'add-one', version: '1.0.0', inputs: [{ name: 'n', type: 'json', help: '', optional: true }] };

/** `uses`: steps whose output n the step reads; `needs`: steps it waits for without reading. */
type StepSpec = { uses?: string[]; needs?: string[]; when?: string; retry?: Record<string, JsonValue>; onFailure?: string; foreach?: JsonValue; parallelism?: number; failFast?: boolean };

function aPlan(steps: Record<string, StepSpec>, results: Record<string, JsonValue> = {}): Plan.Plan {
  const document: JsonValue = {
    apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'the-flow',
    trigger: { type: 'http', path: 'flow', inputs: [{ name: 'go', type: 'boolean' }] },
    steps: Object.entries(steps).map(([id, spec]) => ({
      id, action: 'add-one@1.0.0',
      ...(spec.needs ? { needs: spec.needs } : {}),
      ...(spec.when ? { when: spec.when } : {}),
      ...(spec.retry ? { retry: spec.retry } : {}),
      ...(spec.onFailure ? { on_failure: spec.onFailure } : {}),
      ...(spec.foreach !== undefined ? { foreach: spec.foreach, parallelism: spec.parallelism ?? 10, fail_fast: spec.failFast ?? false } : {}),
      inputs: { n: `\${{ [${(spec.uses ?? []).map((used) => `steps.${used}.n`).join(', ')}] }}` },
    })),
    results,
  };
  const plan = Plan.planOf(document, [PIN]);
  if (!plan.ok) throw new Error(`unexpected: ${JSON.stringify(plan.error)}`);
  return plan.value;
}

const T0 = Date.parse('2030-01-01T00:00:00Z');
const VARIABLES = new Map<string, JsonValue>([['MODE', 'fast']]);
const at = (ms: number): Run.Context => ({ at: new Date(T0 + ms), variables: VARIABLES });
const TRIGGER = { go: true };

const succeeded = (n: JsonValue = 1, attempt = 1): Run.StepOutcome => ({ ok: true, attempt, outputs: { n } });
const failed = (attempt = 1): Run.StepOutcome => ({ ok: false, attempt, error: { code: 'boom', message: 'it broke' } });

function finish(plan: Plan.Plan, state: Run.RunState, id: string, outcome: Run.StepOutcome, ms = 1): Run.Transition {
  const transition = Run.stepFinished(plan, state, id, outcome, at(ms));
  if (!transition.ok) throw new Error(`unexpected: ${JSON.stringify(transition.error)}`);
  return transition.value;
}

const statuses = (state: Run.RunState) => Object.fromEntries([...state.steps].map(([id, step]) => [id, step.status]));

/** Runs every started step to its outcome (n = its id, or a failure for those in `failing`), first started first. */
function runToEnd(plan: Plan.Plan, failing: readonly string[] = [], trigger: Record<string, JsonValue> = TRIGGER) {
  let transition = Run.startRun(plan, trigger, at(0));
  const queue = [...transition.start];
  const started = [...transition.start];
  const skipped = [...transition.skipped];
  let state = transition.state;
  for (let ms = 1; queue.length > 0; ms++) {
    const id = queue.shift() as string;
    transition = finish(plan, state, id, failing.includes(id) ? failed() : succeeded(id), ms);
    state = transition.state;
    queue.push(...transition.start);
    started.push(...transition.start);
    skipped.push(...transition.skipped);
  }
  return { state, started, skipped };
}

describe('Run: progress step by step', () => {
  it('a chain: one step at a time, then the results', () => {
    const plan = aPlan({ a: {}, b: { uses: ['a'] }, c: { uses: ['b'] } }, { last: '${{ steps.c.n }}', mode: '${{ vars.MODE }}' });
    const start = Run.startRun(plan, TRIGGER, at(0));
    expect([start.start, start.state.status, statuses(start.state)]).toEqual([['a'], 'running', { a: 'running', b: 'waiting', c: 'waiting' }]);
    expect(start.state.steps.get('a')).toEqual({ status: 'running', attempt: 1, startedAt: new Date(T0) });
    const afterA = finish(plan, start.state, 'a', succeeded(1), 5);
    expect([afterA.start, afterA.ended, statuses(afterA.state)]).toEqual([['b'], undefined, { a: 'succeeded', b: 'running', c: 'waiting' }]);
    expect(afterA.state.steps.get('a')).toEqual({ status: 'succeeded', attempt: 1, outputs: { n: 1 }, startedAt: new Date(T0), finishedAt: new Date(T0 + 5) });
    const afterB = finish(plan, afterA.state, 'b', succeeded(2));
    expect(afterB.start).toEqual(['c']);
    const afterC = finish(plan, afterB.state, 'c', succeeded(3), 9);
    expect(afterC.start).toEqual([]);
    expect(afterC.ended).toEqual({ status: 'succeeded', results: { last: 3, mode: 'fast' } });
    expect(afterC.state).toMatchObject({ status: 'succeeded', results: { last: 3, mode: 'fast' }, startedAt: new Date(T0), finishedAt: new Date(T0 + 9) });
  });

  it('a diamond: both branches at once, the join after both', () => {
    const plan = aPlan({ a: {}, b: { uses: ['a'] }, c: { uses: ['a'] }, d: { uses: ['b', 'c'] } });
    const start = Run.startRun(plan, TRIGGER, at(0));
    const afterA = finish(plan, start.state, 'a', succeeded());
    expect(afterA.start).toEqual(['b', 'c']);
    const afterC = finish(plan, afterA.state, 'c', succeeded());
    expect([afterC.start, statuses(afterC.state).d]).toEqual([[], 'waiting']);
    const afterB = finish(plan, afterC.state, 'b', succeeded());
    expect(afterB.start).toEqual(['d']);
    expect(finish(plan, afterB.state, 'd', succeeded()).ended?.status).toBe('succeeded');
  });

  it('a 40-step chain runs to the end, each step once, in order', () => {
    const steps: Record<string, StepSpec> = {};
    for (let i = 1; i <= 40; i++) steps[`s${i}`] = i === 1 ? {} : { uses: [`s${i - 1}`] };
    const plan = aPlan(steps, { n: '${{ steps.s40.n }}' });
    const { state, started } = runToEnd(plan);
    expect(started).toEqual(Array.from({ length: 40 }, (_, i) => `s${i + 1}`));
    expect(state).toMatchObject({ status: 'succeeded', results: { n: 's40' } });
  });

  it('a step that fails fails the run once the running siblings finish; nothing new starts meanwhile', () => {
    const plan = aPlan({ a: {}, b: { uses: ['a'] }, c: { uses: ['a'] }, after_c: { uses: ['c'] }, d: { uses: ['b', 'c'] } });
    const afterA = finish(plan, Run.startRun(plan, TRIGGER, at(0)).state, 'a', succeeded());
    const afterB = finish(plan, afterA.state, 'b', failed(), 2);
    expect([afterB.start, afterB.ended, afterB.state.status]).toEqual([[], undefined, 'running']);
    expect(afterB.state.error).toEqual({ step: 'b', code: 'boom', message: 'it broke' });
    const afterC = finish(plan, afterB.state, 'c', succeeded(), 3);
    expect(afterC.start).toEqual([]);
    expect(afterC.ended).toEqual({ status: 'failed', error: { step: 'b', code: 'boom', message: 'it broke' } });
    expect(statuses(afterC.state)).toEqual({ a: 'succeeded', b: 'failed', c: 'succeeded', after_c: 'canceled', d: 'canceled' });
    expect(afterC.state.finishedAt).toEqual(new Date(T0 + 3));
    expect(afterC.state.results).toBeUndefined();
  });

  it('a lone failing step fails the run at once', () => {
    const plan = aPlan({ a: {}, b: { uses: ['a'] } });
    const { state } = runToEnd(plan, ['a']);
    expect([state.status, statuses(state)]).toEqual(['failed', { a: 'failed', b: 'canceled' }]);
  });

  it('results that cannot be rendered fail the run', () => {
    const plan = aPlan({ a: {} }, { deep: '${{ steps.a.n.missing }}' });
    const { state } = runToEnd(plan);
    expect(state.status).toBe('failed');
    expect(state.error).toMatchObject({ code: 'invalid_results' });
  });
});

type Row = { name: string; steps: Record<string, StepSpec>; expected: Record<string, Run.StepStatus>; run: Run.RunStatus };

describe('Run: when, and what a false condition skips', () => {
  it.each<Row>([
    {
      name: 'chain a -> b -> c, b false: b and c skipped',
      steps: { a: {}, b: { uses: ['a'], when: '${{ false }}' }, c: { uses: ['b'] } },
      expected: { a: 'succeeded', b: 'skipped', c: 'skipped' }, run: 'succeeded',
    },
    {
      name: 'diamond, one branch false: the join runs through the other',
      steps: { a: {}, b: { uses: ['a'], when: "${{ steps.a.n == 'nope' }}" }, c: { uses: ['a'] }, d: { uses: ['b', 'c'] } },
      expected: { a: 'succeeded', b: 'skipped', c: 'succeeded', d: 'succeeded' }, run: 'succeeded',
    },
    {
      name: 'diamond, both branches false: the join is skipped',
      steps: { a: {}, b: { uses: ['a'], when: '${{ false }}' }, c: { uses: ['a'], when: '${{ false }}' }, d: { uses: ['b', 'c'] } },
      expected: { a: 'succeeded', b: 'skipped', c: 'skipped', d: 'skipped' }, run: 'succeeded',
    },
    {
      name: 'c needs a and b, b false: c runs (a is another live path)',
      steps: { a: {}, b: { uses: ['a'], when: '${{ false }}' }, c: { uses: ['b'], needs: ['a'] } },
      expected: { a: 'succeeded', b: 'skipped', c: 'succeeded' }, run: 'succeeded',
    },
    {
      name: 'a false root: it and what only it reaches are skipped, the other root and its join run',
      steps: { r1: { when: '${{ not trigger.go }}' }, r2: {}, below_r1: { uses: ['r1'] }, deeper: { uses: ['below_r1'] }, join: { uses: ['r1', 'r2'] } },
      expected: { r1: 'skipped', r2: 'succeeded', below_r1: 'skipped', deeper: 'skipped', join: 'succeeded' }, run: 'succeeded',
    },
    {
      name: 'every root false: the run succeeds at once with nothing run',
      steps: { a: { when: '${{ false }}' }, b: { uses: ['a'] } },
      expected: { a: 'skipped', b: 'skipped' }, run: 'succeeded',
    },
    {
      name: 'a true condition on a variable and an upstream output runs the step',
      steps: { a: {}, b: { uses: ['a'], when: "${{ vars.MODE == 'fast' and steps.a.n == 'a' }}" } },
      expected: { a: 'succeeded', b: 'succeeded' }, run: 'succeeded',
    },
    {
      name: 'a step below a skipped one can still be skipped by its own condition',
      steps: { a: {}, b: { uses: ['a'], when: '${{ false }}' }, c: { uses: ['b'], needs: ['a'], when: '${{ steps.b.n != null }}' } },
      expected: { a: 'succeeded', b: 'skipped', c: 'skipped' }, run: 'succeeded',
    },
    {
      name: 'a condition that is not a boolean fails its step and the run',
      steps: { a: {}, b: { uses: ['a'], when: '${{ steps.a.n }}' }, c: { uses: ['b'] } },
      expected: { a: 'succeeded', b: 'failed', c: 'canceled' }, run: 'failed',
    },
  ])('$name', ({ steps, expected, run }) => {
    const { state } = runToEnd(aPlan(steps));
    expect(statuses(state)).toEqual(expected);
    expect(state.status).toBe(run);
  });

  it('a step skipped by its condition is reported in the transition that skipped it, with what it took along', () => {
    const plan = aPlan({ a: {}, b: { uses: ['a'], when: '${{ false }}' }, c: { uses: ['b'] }, d: { uses: ['a'] } });
    const afterA = finish(plan, Run.startRun(plan, TRIGGER, at(0)).state, 'a', succeeded());
    expect([afterA.start, afterA.skipped]).toEqual([['d'], ['b', 'c']]);
  });

  it('the results read a skipped step as null', () => {
    const plan = aPlan({ a: {}, b: { uses: ['a'], when: '${{ false }}' }, c: { uses: ['a'] } }, { b: '${{ steps.b.n }}', c: '${{ steps.c.n }}', both: '${{ [steps.b.n, steps.c.n] }}' });
    expect(runToEnd(plan).state.results).toEqual({ b: null, c: 'c', both: [null, 'c'] });
  });

  it('a condition that cannot be evaluated fails its step (named in the run\'s error) at start', () => {
    const plan = aPlan({ a: { when: '${{ trigger.go.deep == 1 }}' } });
    const start = Run.startRun(plan, TRIGGER, at(0));
    expect(start.failed).toEqual(['a']);
    expect(start.ended).toEqual({ status: 'failed', error: { step: 'a', code: 'condition_failed', message: 'when: trigger.go.deep is missing' } });
  });
});

describe('Run: refused transitions and cancel', () => {
  const plan = aPlan({ a: {}, b: {}, c: { uses: ['a', 'b'] } });
  const started = Run.startRun(plan, TRIGGER, at(0)).state;

  it.each([
    ['an unknown step', 'x', succeeded(), { type: 'UnknownStep', step: 'x' }],
    ['a step that is not running', 'c', succeeded(), { type: 'StepNotRunning', step: 'c', status: 'waiting' }],
    ['a late outcome of an earlier attempt', 'a', succeeded(1, 0), { type: 'StaleAttempt', step: 'a', attempt: 0, running: 1 }],
  ] as [string, string, Run.StepOutcome, object][])('%s', (_name, id, outcome, error) => {
    expect(Run.stepFinished(plan, started, id, outcome, at(1))).toEqual({ ok: false, error });
  });

  it('cancel ends the run at once, lists the calls to abort, and refuses their late outcomes', () => {
    const afterA = finish(plan, started, 'a', succeeded());
    const canceled = Run.cancel(afterA.state, new Date(T0 + 7));
    expect(canceled.ok).toBe(true);
    if (!canceled.ok) return;
    expect(canceled.value.abort).toEqual(['b']);
    expect([canceled.value.state.status, statuses(canceled.value.state)]).toEqual(['canceled', { a: 'succeeded', b: 'canceled', c: 'canceled' }]);
    expect(canceled.value.state.finishedAt).toEqual(new Date(T0 + 7));
    expect(Run.stepFinished(plan, canceled.value.state, 'b', succeeded(), at(8))).toEqual({ ok: false, error: { type: 'RunNotRunning', status: 'canceled' } });
    expect(Run.cancel(canceled.value.state, new Date(T0 + 9))).toEqual({ ok: false, error: { type: 'RunNotRunning', status: 'canceled' } });
  });
});

describe('Run.resumeRun: taking a run over from its persisted step statuses', () => {
  const plan = aPlan({ a: {}, b: { uses: ['a'] }, c: { uses: ['a'] }, d: { uses: ['b', 'c'] } }, { d: '${{ steps.d.n }}' });
  const done = (id: string): Run.PersistedStep => ({ id, status: 'succeeded', attempt: 1, outputs: { n: id } });
  const running = (id: string, attempt = 1): Run.PersistedStep => ({ id, status: 'running', attempt });
  const persisted = (status: Run.RunStatus, steps: Run.PersistedStep[]): Run.PersistedRun => ({ status, triggerOutputs: TRIGGER, steps, startedAt: new Date(T0) });

  it.each([
    { name: 'a queued run starts its roots', run: persisted('queued', []), start: ['a'], attempts: { a: 1 } },
    { name: 'a running step runs again with the next attempt', run: persisted('running', [done('a'), running('b'), running('c', 2)]), start: ['b', 'c'], attempts: { b: 2, c: 3 } },
    { name: 'a step ready but not claimed starts', run: persisted('running', [done('a'), done('b'), done('c')]), start: ['d'], attempts: { d: 1 } },
    { name: 'with a failed step, the running one runs again and nothing new starts', run: persisted('running', [done('a'), { id: 'b', status: 'failed', attempt: 1, error: { code: 'boom', message: 'x' } }, running('c')]), start: ['c'], attempts: { c: 2 } },
    { name: 'an ended run is given back as it was', run: { ...persisted('succeeded', ['a', 'b', 'c', 'd'].map(done)), results: { d: 'd' } }, start: [], attempts: {} },
  ])('$name', ({ run, start, attempts }) => {
    const resumed = Run.resumeRun(plan, run, at(100));
    expect(resumed.ok).toBe(true);
    if (!resumed.ok) return;
    expect(resumed.value.start).toEqual(start);
    expect(Object.fromEntries(start.map((id) => [id, resumed.value.state.steps.get(id)?.attempt]))).toEqual(attempts);
    for (const id of start) expect(resumed.value.state.steps.get(id)?.startedAt).toEqual(new Date(T0 + 100));
  });

  it('goes on to the end after a takeover, dropping the late outcome of the attempt it replaced', () => {
    const resumed = Run.resumeRun(plan, persisted('running', [done('a'), done('b'), running('c')]), at(100));
    if (!resumed.ok) throw new Error('unexpected');
    expect(Run.stepFinished(plan, resumed.value.state, 'c', succeeded('late', 1), at(101))).toMatchObject({ ok: false, error: { type: 'StaleAttempt' } });
    const afterC = finish(plan, resumed.value.state, 'c', succeeded('c', 2), 102);
    expect(afterC.start).toEqual(['d']);
    const afterD = finish(plan, afterC.state, 'd', succeeded('d'), 103);
    expect(afterD.ended).toEqual({ status: 'succeeded', results: { d: 'd' } });
    expect(afterD.state.startedAt).toEqual(new Date(T0));
  });

  it('a failed step with nothing running fails the run on takeover', () => {
    const resumed = Run.resumeRun(plan, persisted('running', [done('a'), done('b'), { id: 'c', status: 'failed', attempt: 1, error: { code: 'boom', message: 'x' } }]), at(100));
    expect(resumed.ok && resumed.value.ended).toEqual({ status: 'failed', error: { step: 'c', code: 'boom', message: 'x' } });
  });

  it('refuses a step the plan does not have', () => {
    expect(Run.resumeRun(plan, persisted('running', [done('ghost')]), at(100))).toEqual({ ok: false, error: { type: 'UnknownStep', step: 'ghost' } });
  });
});

describe('retries', () => {
  const flaky = (attempt: number, retryable = true): Run.StepOutcome => ({ ok: false, attempt, error: { code: 'timeout', message: 'too slow' }, retryable });
  const half = (ms: number): Run.Context => ({ ...at(ms), random: () => 0.5 });
  const plan = aPlan({ a: { retry: { attempts: 3, backoff: '1s', max_delay: '1500ms' } }, b: { uses: ['a'] } });

  function retried(state: Run.RunState, id: string, ms: number): Run.Transition {
    const due = Run.retryDue(plan, state, id, at(ms));
    if (!due.ok) throw new Error(`unexpected: ${JSON.stringify(due.error)}`);
    return due.value;
  }

  it('waits a jittered, doubling, capped delay between attempts, then fails for good when the attempts are spent', () => {
    let state = Run.startRun(plan, TRIGGER, at(0)).state;
    let transition = Run.stepFinished(plan, state, 'a', flaky(1), half(100));
    if (!transition.ok) throw new Error('unexpected');
    expect(transition.value.retrying).toEqual(['a']);
    expect(transition.value.state.steps.get('a')).toMatchObject({ status: 'retrying', attempt: 1, error: { code: 'timeout' }, retryAt: new Date(T0 + 100 + 500) });
    expect(transition.value.state.status).toBe('running');
    state = retried(transition.value.state, 'a', 600).state;
    expect(state.steps.get('a')).toEqual({ status: 'running', attempt: 2, startedAt: new Date(T0 + 600) });
    transition = Run.stepFinished(plan, state, 'a', flaky(2), half(700));
    if (!transition.ok) throw new Error('unexpected');
    expect(transition.value.state.steps.get('a')?.retryAt).toEqual(new Date(T0 + 700 + 750)); // min(1500, 2000) / 2
    state = retried(transition.value.state, 'a', 1450).state;
    const last = finish(plan, state, 'a', flaky(3), 1500);
    expect(last.retrying).toEqual([]);
    expect(last.ended).toEqual({ status: 'failed', error: { step: 'a', code: 'timeout', message: 'too slow' } });
    expect(statuses(last.state)).toEqual({ a: 'failed', b: 'canceled' });
  });

  it('goes on after a retried attempt succeeds', () => {
    const first = finish(plan, Run.startRun(plan, TRIGGER, at(0)).state, 'a', flaky(1), 10);
    const second = retried(first.state, 'a', 20);
    expect(second.start).toEqual(['a']);
    expect(finish(plan, second.state, 'a', succeeded(5, 2), 30).start).toEqual(['b']);
  });

  it('fails at once on a failure that is not retryable, or of a step without a policy', () => {
    expect(finish(plan, Run.startRun(plan, TRIGGER, at(0)).state, 'a', flaky(1, false), 10).ended?.status).toBe('failed');
    const plain = aPlan({ a: {} });
    expect(Run.stepFinished(plain, Run.startRun(plain, TRIGGER, at(0)).state, 'a', flaky(1), at(10))).toMatchObject({ ok: true, value: { ended: { status: 'failed' } } });
  });

  it('gives up a retry when another step fails for good meanwhile (nothing new starts in a failed run)', () => {
    const parallel = aPlan({ a: { retry: { attempts: 5 } }, c: {} });
    const waiting = finish(parallel, Run.startRun(parallel, TRIGGER, at(0)).state, 'a', flaky(1), 10);
    const ended = finish(parallel, waiting.state, 'c', failed(), 20);
    expect(statuses(ended.state)).toEqual({ a: 'canceled', c: 'failed' });
    expect(ended.ended).toEqual({ status: 'failed', error: { step: 'c', code: 'boom', message: 'it broke' } });
  });

  it('keeps a waiting retry across a takeover and says so; cancel ends it', () => {
    const waiting = finish(plan, Run.startRun(plan, TRIGGER, at(0)).state, 'a', flaky(1), 10).state;
    const persisted: Run.PersistedRun = { status: 'running', triggerOutputs: TRIGGER, steps: [...waiting.steps].map(([id, step]) => ({ id, ...step })) };
    const resumed = Run.resumeRun(plan, persisted, at(50));
    expect(resumed).toMatchObject({ ok: true, value: { start: [], retrying: ['a'] } });
    const canceled = Run.cancel(waiting, new Date(T0 + 60));
    expect(canceled.ok && statuses(canceled.value.state)).toEqual({ a: 'canceled', b: 'canceled' });
    expect(canceled.ok && canceled.value.abort).toEqual([]);
    expect(Run.retryDue(plan, Run.startRun(plan, TRIGGER, at(0)).state, 'a', at(1))).toEqual({ ok: false, error: { type: 'StepNotRetrying', step: 'a', status: 'running' } });
  });

  it('draws full jitter under the cap', () => {
    const policy = { backoffMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 60].map((n) => Run.retryDelayMs(policy, n, () => 0.999999))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(Run.retryDelayMs(policy, 3, () => 0)).toBe(0);
  });
});

describe('compensations (saga)', () => {
  // a -> b -> c; c fails. a and b have compensations; c's own compensation runs first.
  const plan = aPlan({
    a: { onFailure: 'undo_a' }, b: { uses: ['a'], onFailure: 'undo_b' }, c: { uses: ['b'], onFailure: 'undo_c' }, d: { uses: ['c'] },
    undo_a: {}, undo_b: {}, undo_c: {},
  });

  function drive(failing: readonly string[]) {
    let transition = Run.startRun(plan, TRIGGER, at(0));
    const order: string[] = [];
    let state = transition.state;
    const queue = [...transition.start];
    for (let ms = 1; queue.length > 0; ms++) {
      const id = queue.shift() as string;
      order.push(id);
      transition = finish(plan, state, id, failing.includes(id) ? failed() : succeeded(1), ms);
      state = transition.state;
      queue.push(...transition.start);
    }
    return { order, transition, state };
  }

  it('runs the failed step\'s compensation, then those of the completed steps in reverse, one at a time, then ends failed with the first error', () => {
    const { order, transition, state } = drive(['c']);
    expect(order).toEqual(['a', 'b', 'c', 'undo_c:c', 'undo_b:b', 'undo_a:a']);
    expect(transition.ended).toEqual({ status: 'failed', error: { step: 'c', code: 'boom', message: 'it broke' } });
    expect(statuses(state)).toMatchObject({ a: 'succeeded', b: 'succeeded', c: 'failed', d: 'canceled', 'undo_c:c': 'succeeded', 'undo_b:b': 'succeeded', 'undo_a:a': 'succeeded' });
    expect(Run.failureOf(state, 'undo_c:c', { n: [1] })).toEqual({ step: 'c', attempts: 1, inputs: { n: [1] }, error: { code: 'boom', message: 'it broke' } });
    expect(Run.failureOf(state, 'undo_a:a', undefined)).toMatchObject({ step: 'a', error: { code: 'boom' } });
  });

  it('goes on with the next compensation when one fails, and keeps the run\'s first error', () => {
    const { order, transition } = drive(['c', 'undo_b:b']);
    expect(order).toEqual(['a', 'b', 'c', 'undo_c:c', 'undo_b:b', 'undo_a:a']);
    expect(transition.ended).toEqual({ status: 'failed', error: { step: 'c', code: 'boom', message: 'it broke' } });
  });

  it('runs none when the run succeeds, and none of steps that never ran', () => {
    expect(drive([]).order).toEqual(['a', 'b', 'c', 'd']);
    expect(drive(['a']).order).toEqual(['a', 'undo_a:a']);
  });

  it('goes on after a takeover: a running compensation starts again, the queue is read from the state', () => {
    let transition = Run.startRun(plan, TRIGGER, at(0));
    for (const [id, ms] of [['a', 1], ['b', 2], ['c', 3]] as const) transition = finish(plan, transition.state, id, id === 'c' ? failed() : succeeded(1), ms);
    transition = finish(plan, transition.state, 'undo_c:c', succeeded(1), 4);
    expect(transition.start).toEqual(['undo_b:b']);
    const persisted: Run.PersistedRun = { status: 'running', triggerOutputs: TRIGGER, steps: [...transition.state.steps].map(([id, step]) => ({ id, ...step })) };
    const resumed = Run.resumeRun(plan, persisted, at(10));
    expect(resumed.ok && resumed.value.start).toEqual(['undo_b:b']);
    expect(resumed.ok && resumed.value.state.steps.get('undo_b:b')?.attempt).toBe(2);
  });
});

describe('foreach', () => {
  const plan = (spec: Partial<StepSpec> = {}) => aPlan({ each: { foreach: '${{ [10, 20, 30, 40, 50] }}', parallelism: 2, ...spec }, after: { uses: ['each'] } }, { all: '${{ steps.each.n }}' });

  /** Ends items first started first, as `outcome(index)` says; returns the order items ran and the end. */
  function drive(p: Plan.Plan, outcome: (index: number) => Run.StepOutcome | 'retry' = (index) => succeeded(index * 2)) {
    let transition = Run.startRun(p, TRIGGER, at(0));
    const queue = [...transition.start];
    const ran: string[] = [];
    let maxInFlight = 0;
    let state = transition.state;
    for (let ms = 1; queue.length > 0; ms++) {
      maxInFlight = Math.max(maxInFlight, [...state.steps].filter(([id, step]) => id.startsWith('each[') && step.status === 'running').length);
      const id = queue.shift() as string;
      ran.push(id);
      const index = Number(/\[(\d+)\]/.exec(id)?.[1] ?? -1);
      const wanted = id.startsWith('each[') ? outcome(index) : succeeded(1);
      transition = finish(p, state, id, wanted === 'retry' ? succeeded(0) : wanted, ms);
      state = transition.state;
      queue.push(...transition.start);
    }
    return { ran, transition, state, maxInFlight };
  }

  it('runs one item per element, at most `parallelism` at once, and gathers outputs as lists in item order', () => {
    const p = plan();
    const first = Run.startRun(p, TRIGGER, at(0));
    expect(first.start).toEqual(['each[0]', 'each[1]']);
    expect(statuses(first.state)).toMatchObject({ each: 'running', 'each[0]': 'running', 'each[2]': 'waiting', 'each[4]': 'waiting' });
    const { ran, transition, maxInFlight } = drive(p);
    expect(ran).toEqual(['each[0]', 'each[1]', 'each[2]', 'each[3]', 'each[4]', 'after']);
    expect(maxInFlight).toBe(2);
    expect(transition.state.steps.get('each')).toMatchObject({ status: 'succeeded', outputs: { n: [0, 2, 4, 6, 8] } });
    expect(transition.ended).toEqual({ status: 'succeeded', results: { all: [0, 2, 4, 6, 8] } });
  });

  it('lets the other items finish after one fails, then fails the step with its error; with fail_fast it fails at once', () => {
    const failing = (index: number) => (index === 1 ? failed() : succeeded(index));
    const slow = drive(plan(), failing);
    expect(slow.ran).toEqual(['each[0]', 'each[1]', 'each[2]', 'each[3]', 'each[4]']);
    expect(slow.transition.ended).toEqual({ status: 'failed', error: { step: 'each', code: 'boom', message: 'item 1: it broke' } });
    const fast = drive(plan({ failFast: true }), failing);
    expect(fast.ran).toEqual(['each[0]', 'each[1]', 'each[2]']); // each[2] was running when each[1] failed
    expect(fast.transition.ended).toEqual({ status: 'failed', error: { step: 'each', code: 'boom', message: 'item 1: it broke' } });
    expect(statuses(fast.state)).toMatchObject({ each: 'failed', 'each[2]': 'succeeded', 'each[3]': 'canceled', after: 'canceled' });
  });

  it('succeeds at once over no items, and fails a step whose items are not a list', () => {
    expect(drive(aPlan({ each: { foreach: '${{ [] }}' }, after: { uses: ['each'] } })).ran).toEqual(['after']);
    const notList = Run.startRun(aPlan({ each: { foreach: '${{ 3 }}' } }), TRIGGER, at(0));
    expect(notList.ended).toEqual({ status: 'failed', error: { step: 'each', code: 'foreach_not_list', message: 'foreach: the items are a number, not a list' } });
  });

  it('goes on after a takeover: items running start again, the next ones follow', () => {
    const p = plan();
    let transition = Run.startRun(p, TRIGGER, at(0));
    transition = finish(p, transition.state, 'each[0]', succeeded(0), 1);
    const persisted: Run.PersistedRun = {
      status: 'running', triggerOutputs: TRIGGER,
      steps: [...transition.state.steps].map(([id, step]) => ({ id, status: step.status, attempt: step.attempt, ...(step.outputs ? { outputs: step.outputs } : {}) })),
    };
    const resumed = Run.resumeRun(p, persisted, at(10));
    if (!resumed.ok) throw new Error('unexpected');
    expect(resumed.value.start).toEqual(['each[1]', 'each[2]']);
    expect(resumed.value.state.steps.get('each')?.foreach).toMatchObject({ started: 3, inFlight: 2, failed: 0 });
    let state = resumed.value.state;
    for (const [index, ms] of [[1, 11], [2, 12], [3, 13], [4, 14]] as const) {
      const attempt = state.steps.get(`each[${index}]`)?.attempt ?? 1;
      state = finish(p, state, `each[${index}]`, succeeded(index * 2, attempt), ms).state;
    }
    expect(state.steps.get('each')).toMatchObject({ status: 'succeeded', outputs: { n: [0, 2, 4, 6, 8] } });
  });
});

describe('wait steps (signals)', () => {
  /** trigger -> approve (wait) -> ship (reads the approval); with `timeout` and `on_timeout` on the wait. */
  function waitPlan(wait: Record<string, JsonValue>): Plan.Plan {
    const document: JsonValue = {
      apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'the-flow', timeout: '1h',
      trigger: { type: 'manual' },
      steps: [
        { id: 'approve', wait },
        { id: 'ship', action: 'add-one@1.0.0', inputs: { n: '${{ steps.approve.by }}' } },
      ],
      results: { by: '${{ steps.approve.by }}' },
    };
    const plan = Plan.planOf(document, [PIN]);
    if (!plan.ok) throw new Error(`unexpected: ${JSON.stringify(plan.error)}`);
    return plan.value;
  }

  it('starts as running without a call, ends on its signal with the payload as outputs, then the run goes on', () => {
    const plan = waitPlan({ signal: 'approved' });
    expect(plan.steps.get('approve')).toMatchObject({ wait: { signal: 'approved', onTimeout: 'fail' } });
    expect(plan.steps.get('approve')?.action).toBeUndefined();
    expect(plan.timeoutMs).toBe(3_600_000);
    const started = Run.startRun(plan, {}, at(0));
    expect(started.start).toEqual(['approve']);
    expect(Run.waitDeadline(plan, started.state, 'approve')).toBeUndefined();
    const signaled = Run.signalArrived(plan, started.state, 'approve', { by: 'ana' }, at(5));
    if (!signaled.ok) throw new Error('refused');
    expect(signaled.value.start).toEqual(['ship']);
    expect(signaled.value.state.steps.get('approve')).toMatchObject({ status: 'succeeded', outputs: { by: 'ana' } });
    // A second signal finds the step ended.
    expect(Run.signalArrived(plan, signaled.value.state, 'approve', { by: 'bo' }, at(6))).toMatchObject({ ok: false, error: { type: 'StepNotRunning' } });
    expect(Run.signalArrived(plan, signaled.value.state, 'ship', {}, at(6))).toMatchObject({ ok: false, error: { type: 'NotAWait' } });
  });

  it('fails with signal_timeout at its deadline, or is skipped (with what only it reaches) when on_timeout is skip', () => {
    const failing = waitPlan({ signal: 'approved', timeout: '10m' });
    const started = Run.startRun(failing, {}, at(0));
    expect(Run.waitDeadline(failing, started.state, 'approve')).toEqual(new Date(T0 + 600_000));
    const timedOut = Run.waitTimedOut(failing, started.state, 'approve', at(600_000));
    if (!timedOut.ok) throw new Error('refused');
    expect(timedOut.value.ended).toMatchObject({ status: 'failed', error: { code: 'signal_timeout', step: 'approve' } });

    const skipping = waitPlan({ signal: 'approved', timeout: '10m', on_timeout: 'skip' });
    const skipped = Run.waitTimedOut(skipping, Run.startRun(skipping, {}, at(0)).state, 'approve', at(600_000));
    if (!skipped.ok) throw new Error('refused');
    expect(statuses(skipped.value.state)).toEqual({ approve: 'skipped', ship: 'skipped' });
    expect(skipped.value.ended).toEqual({ status: 'succeeded', results: { by: null } });
  });

  it('ends a delay (a wait for a time, no signal) at its deadline: succeeded, no outputs, and the run goes on', () => {
    const plan = waitPlan({ for: '10m' });
    const started = Run.startRun(plan, {}, at(0));
    expect(Run.waitDeadline(plan, started.state, 'approve')).toEqual(new Date(T0 + 600_000));
    const done = Run.waitTimedOut(plan, started.state, 'approve', at(600_000));
    if (!done.ok) throw new Error('refused');
    expect(done.value.state.steps.get('approve')).toMatchObject({ status: 'succeeded', outputs: {} });
    expect(done.value.start).toEqual(['ship']);
  });

  it('goes on waiting after a takeover: not restarted, its start (and so its deadline) kept', () => {
    const plan = waitPlan({ signal: 'approved', timeout: '10m' });
    const persisted: Run.PersistedRun = {
      status: 'running', triggerOutputs: {}, startedAt: new Date(T0),
      steps: [{ id: 'approve', status: 'running', attempt: 1, startedAt: new Date(T0) }],
    };
    const resumed = Run.resumeRun(plan, persisted, at(60_000));
    if (!resumed.ok) throw new Error('refused');
    expect(resumed.value.start).toEqual([]);
    expect(Run.waitDeadline(plan, resumed.value.state, 'approve')).toEqual(new Date(T0 + 600_000));
  });

  it('a run past its own timeout fails with run_timeout, its running calls aborted', () => {
    const plan = aPlan({ a: {}, b: {} });
    const started = Run.startRun(plan, TRIGGER, at(0));
    const timedOut = Run.runTimedOut(started.state, 1000, new Date(T0 + 1000));
    if (!timedOut.ok) throw new Error('refused');
    expect(timedOut.value.abort).toEqual(['a', 'b']);
    expect(timedOut.value.state).toMatchObject({ status: 'failed', error: { code: 'run_timeout' } });
    expect(statuses(timedOut.value.state)).toEqual({ a: 'canceled', b: 'canceled' });
    expect(Run.runTimedOut(timedOut.value.state, 1000, new Date(T0 + 2000))).toMatchObject({ ok: false, error: { type: 'RunNotRunning' } });
  });
});
