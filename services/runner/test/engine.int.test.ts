// The engine on real Postgres, RabbitMQ, object store and action processes: runs of deployed
// workflows, their rows, failures, idempotency, fencing, takeover and two engines sharing work.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@trellis/platform/testing/eventually';
import type { StartRun } from '../src/application/engine-port.js';
import type * as studio from '../src/infrastructure/pb/studio/v1/events.js';
import { aChain, aGatedSite, LEASE_MS, useEngineRunner } from './engine-support.js';

const { runner, db, build, knownProject, deploy, anotherEngine } = useEngineRunner();

let projectId = '';
let chain10 = '';
let failing = '';
let addOne: studio.PinnedAction;

const request = (workflowId: string, n: number, fields: Partial<StartRun> = {}): StartRun => ({
  projectId, workflowId, triggerType: 'http', triggerOutputs: { n }, traceId: 'trace', ...fields,
});

async function started(workflowId: string, n: number, fields: Partial<StartRun> = {}, engine = runner().engine) {
  const result = await engine.start(request(workflowId, n, fields));
  if (!result.ok) throw new Error(`refused: ${result.error.type}`);
  return result.value;
}

const stepRows = (runId: string) => db().selectFrom('step_runs').selectAll().where('run_id', '=', runId).orderBy('step_id').execute();
const attemptRows = (runId: string) => db().selectFrom('step_attempts').selectAll().where('run_id', '=', runId).orderBy('step_id').orderBy('attempt').execute();
const runRow = (runId: string) => db().selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();

describe('the engine', () => {
  beforeAll(async () => {
    projectId = await knownProject();
    const [add, raise] = await build(['examples/actions/add-one', 'examples/actions/raise-error']) as [studio.PinnedAction, studio.PinnedAction];
    addOne = add;
    chain10 = await deploy(projectId, aChain('add-ten', 10), [addOne]);
    failing = await deploy(projectId, {
      name: 'fails', trigger: { type: 'http', path: 'fails', inputs: [{ name: 'code', type: 'string' }] },
      steps: [
        { id: 'first', action: 'add-one@1.0.0', inputs: { n: 1 } },
        { id: 'reject', action: 'raise-error@1.0.0', inputs: { message: 'no such order', code: '${{ trigger.code }}' }, needs: ['first'] },
        { id: 'after', action: 'add-one@1.0.0', inputs: { n: '${{ steps.first.n }}' }, needs: ['reject'] },
      ],
    }, [addOne, raise]);
  }, 120_000);

  it('runs a 10-step chain of add-one to n + 10, every step recorded once with its inputs, outputs, times and attempt', async () => {
    const run = await started(chain10, 5);
    expect(run.existing).toBe(false);
    const end = await run.finished;
    expect(end).toEqual({ runId: run.runId, status: 'succeeded', results: { n: 15 }, error: null });
    const row = await runRow(run.runId);
    expect(row).toMatchObject({ status: 'succeeded', results: { n: 15 }, error: null, project_id: projectId, workflow_id: chain10, version: 1, trigger_outputs: { n: 5 } });
    expect(row.finished_at?.getTime()).toBeGreaterThanOrEqual(row.started_at?.getTime() ?? Infinity);
    const steps = await stepRows(run.runId);
    expect(steps).toHaveLength(10);
    for (const step of steps) {
      const i = Number(step.step_id.slice(1));
      expect(step).toMatchObject({ status: 'succeeded', attempt: 1, inputs: { n: 5 + i }, outputs: { n: 6 + i }, error: null });
      expect(step.finished_at?.getTime()).toBeGreaterThanOrEqual(step.started_at?.getTime() ?? Infinity);
    }
    const attempts = await attemptRows(run.runId);
    expect(attempts.map((a) => [a.step_id, a.attempt, a.status])).toEqual(steps.map((s) => [s.step_id, 1, 'succeeded']));
    expect(attempts.every((a) => a.finished_at !== null)).toBe(true);
  });

  it('keeps a warm 10-step chain within milliseconds per step (measured)', async () => {
    for (let i = 0; i < 3; i++) await (await started(chain10, i)).finished;
    const durations: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const end = await (await started(chain10, i)).finished;
      durations.push(performance.now() - t0);
      expect(end.results).toEqual({ n: i + 10 });
    }
    durations.sort((a, b) => a - b);
    const p50 = durations[10] as number;
    console.log(`chain-10 warm: p50 ${p50.toFixed(1)} ms, p95 ${(durations[18] as number).toFixed(1)} ms, min ${(durations[0] as number).toFixed(1)} ms`);
    const t0 = performance.now();
    const ends = await Promise.all(Array.from({ length: 50 }, async (_, i) => (await started(chain10, i)).finished));
    const seconds = (performance.now() - t0) / 1000;
    console.log(`chain-10, 50 runs at once: ${(50 / seconds).toFixed(0)} runs/s`);
    expect(ends.every((end, i) => end.status === 'succeeded' && end.results?.['n'] === i + 10)).toBe(true);
    expect(p50).toBeLessThan(500);
  });

  it('fails a run with the ActionError code and message of its step (an HTTP status code as httpStatus), starting nothing after it', async () => {
    const run = await started(failing, 0, { triggerOutputs: { code: '404' } });
    const end = await run.finished;
    expect(end).toEqual({ runId: run.runId, status: 'failed', results: null, error: { code: '404', message: 'no such order', step: 'reject', httpStatus: 404 } });
    expect(await runRow(run.runId)).toMatchObject({ status: 'failed', error: { code: '404', message: 'no such order', step: 'reject' } });
    const steps = await stepRows(run.runId);
    expect(steps.map((s) => [s.step_id, s.status, s.attempt])).toEqual([['after', 'canceled', 0], ['first', 'succeeded', 1], ['reject', 'failed', 1]]);
    expect(steps.find((s) => s.step_id === 'reject')?.error).toEqual({ code: '404', message: 'no such order' });
    const attempts = await attemptRows(run.runId);
    expect(attempts.find((a) => a.step_id === 'reject')).toMatchObject({ status: 'failed', error: { code: '404', message: 'no such order' } });

    const plain = await (await started(failing, 0, { triggerOutputs: { code: 'rejected' } })).finished;
    expect(plain.error).toEqual({ code: 'rejected', message: 'no such order', step: 'reject' });
  });

  it('answers the run an idempotency key already started, never a second one', async () => {
    const key = randomUUID();
    const first = await started(chain10, 1, { idempotencyKey: key });
    const again = await started(chain10, 100, { idempotencyKey: key });
    expect(again).toMatchObject({ runId: first.runId, existing: true });
    expect(await again.finished).toEqual(await first.finished);
    expect((await again.finished).results).toEqual({ n: 11 });
    const rows = await db().selectFrom('runs').select('id').where('idempotency_key', '=', key).execute();
    expect(rows).toHaveLength(1);
  });

  it('refuses a workflow that serves no version', async () => {
    expect(await runner().engine.start(request(randomUUID(), 1))).toEqual({ ok: false, error: { type: 'NotServing' } });
  });

  it('drops the outcome of a stale owner (its epoch bumped under it) without writing anything', async () => {
    const gated = aGatedSite(runner().site);
    const stale = await anotherEngine({ site: gated.site });
    try {
      const run = await started(chain10, 1, {}, stale.engine);
      await eventually(async () => gated.calls(), (calls) => calls === 1);
      await db().updateTable('runs').set((eb) => ({ owner_epoch: eb('owner_epoch', '+', 1) as never })).where('id', '=', run.runId).execute();
      gated.open();
      await eventually(async () => stale.engine.owned(), (owned) => owned === 0);
      const steps = await stepRows(run.runId);
      expect(steps.find((s) => s.step_id === 's0')).toMatchObject({ status: 'running', attempt: 1, outputs: null });
      expect(steps.filter((s) => s.status === 'waiting')).toHaveLength(9);
      expect((await runRow(run.runId)).status).toBe('running');
      await db().updateTable('runs').set({ status: 'canceled' }).where('id', '=', run.runId).execute();
    } finally {
      await stale.stop();
    }
  });

  it('takes over a run whose owner lost its lease: the running step runs again (attempt 2) and the run ends, the old owner\'s late outcome dropped', async () => {
    const gated = aGatedSite(runner().site);
    const lost = await anotherEngine({ site: gated.site, heartbeatMs: 3_600_000 });
    try {
      const run = await started(chain10, 7, {}, lost.engine);
      await eventually(async () => gated.calls(), (calls) => calls === 1);
      await db().updateTable('runner_processes').set({ heartbeat_at: new Date(Date.now() - 10 * LEASE_MS) }).where('id', '=', lost.id).execute();
      const end = await runner().engine.awaitEnd(projectId, run.runId);
      expect(end).toEqual({ runId: run.runId, status: 'succeeded', results: { n: 17 }, error: null });
      expect(await runRow(run.runId)).toMatchObject({ owner: runner().processId, owner_epoch: 2 });
      gated.open(); // the lost owner's call answers late
      await eventually(async () => lost.engine.owned(), (owned) => owned === 0);
      const steps = await stepRows(run.runId);
      expect(steps.map((s) => [s.step_id, s.status, s.attempt])).toEqual(steps.map((s) => [s.step_id, 'succeeded', s.step_id === 's0' ? 2 : 1]));
      const attempts = await attemptRows(run.runId);
      expect(attempts.filter((a) => a.step_id === 's0').map((a) => [a.attempt, a.status, (a.error as { code?: string } | null)?.code ?? null]))
        .toEqual([[1, 'failed', 'runner_lost'], [2, 'succeeded', null]]);
      expect(attempts).toHaveLength(11);
    } finally {
      await lost.stop();
    }
  });

  it('shares 100 runs between two engines on one database: none lost, none run twice', async () => {
    const other = await anotherEngine();
    try {
      const engines = [runner().engine, other.engine];
      const runs = await Promise.all(Array.from({ length: 100 }, (_, i) => started(chain10, i, {}, engines[i % 2])));
      const ends = await Promise.all(runs.map((run) => run.finished));
      expect(ends.map((end) => end.results?.['n'])).toEqual(Array.from({ length: 100 }, (_, i) => i + 10));
      const ids = runs.map((run) => run.runId);
      const owners = await db().selectFrom('runs').select(['owner', 'status']).where('id', 'in', ids).execute();
      expect(owners.every((row) => row.status === 'succeeded')).toBe(true);
      expect(new Set(owners.map((row) => row.owner))).toEqual(new Set([runner().processId, other.id]));
      const attempts = await db().selectFrom('step_attempts').select(['run_id', 'step_id', 'attempt', 'status']).where('run_id', 'in', ids).execute();
      expect(attempts).toHaveLength(1000);
      expect(attempts.every((a) => a.attempt === 1 && a.status === 'succeeded')).toBe(true);
      const steps = await db().selectFrom('step_runs').select(['status', 'attempt']).where('run_id', 'in', ids).execute();
      expect(steps.filter((s) => s.status === 'succeeded' && s.attempt === 1)).toHaveLength(1000);
    } finally {
      await other.stop();
    }
  });

  it('cancels a run: its running call aborted, nothing new started, the run ended canceled', async () => {
    const gated = aGatedSite(runner().site);
    const owner = await anotherEngine({ site: gated.site });
    try {
      const run = await started(chain10, 1, {}, owner.engine);
      await eventually(async () => gated.calls(), (calls) => calls === 1);
      expect(await owner.engine.cancel(projectId, run.runId)).toEqual({ ok: true, value: undefined });
      expect(await run.finished).toEqual({ runId: run.runId, status: 'canceled', results: null, error: null });
      gated.open();
      const steps = await stepRows(run.runId);
      expect(new Set(steps.map((s) => s.status))).toEqual(new Set(['canceled']));
      expect((await attemptRows(run.runId)).map((a) => [a.step_id, a.status])).toEqual([['s0', 'canceled']]);
      expect(await owner.engine.cancel(projectId, run.runId)).toEqual({ ok: false, error: { type: 'RunFinished' } });
      expect(await runner().engine.cancel(projectId, randomUUID())).toEqual({ ok: false, error: { type: 'RunNotFound' } });
    } finally {
      await owner.stop();
    }
  });
});
