// Wait steps and run timeouts on the real engine (issue 12): Postgres, the local site, wrapper
// processes, the runner's HTTP routes. A run waiting for a signal holds no call, survives a
// restart of the runner and goes on with the signal's payload; a signal sent before the run
// reaches its step is kept and ends the step when it starts; a wait's timeout fails or skips it;
// a run past its own timeout fails with its call cancelled.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@trellis/platform/testing/eventually';
import { makeCall } from '@trellis/platform/testing/http-call';
import type { StartRun } from '../src/application/engine-port.js';
import type * as studio from '../src/infrastructure/pb/studio/v1/events.js';
import { useEngineRunner } from './engine-support.js';

const { service, runner, db, build, knownProject, deploy, restart } = useEngineRunner();
const call = makeCall(() => runner().url);

let projectId = '';
let operator = '';
let echo: studio.PinnedAction;
let probe: studio.PinnedAction;

/** approve (a wait) -> say (echo of the approver): the run's result is who approved. */
function approval(name: string, wait: Record<string, unknown>, first?: Record<string, unknown>): Record<string, unknown> {
  return {
    name, trigger: { type: 'manual' },
    steps: [
      ...(first ? [first] : []),
      { id: 'approve', wait, ...(first ? { needs: [first['id']] } : {}) },
      { id: 'say', action: 'echo@1.0.0', inputs: { text: 'approved by ${{ steps.approve.by }}' } },
    ],
    results: { said: '${{ steps.say.text }}', by: '${{ steps.approve.by }}' },
  };
}

async function start(workflowId: string): Promise<{ runId: string; finished: Promise<unknown> }> {
  const request: StartRun = { projectId, workflowId, triggerType: 'manual', triggerOutputs: {}, traceId: 'trace' };
  const started = await runner().engine.start(request);
  if (!started.ok) throw new Error(`refused: ${started.error.type}`);
  return started.value;
}

const stepRow = (runId: string, step: string) => db().selectFrom('step_runs').selectAll().where('run_id', '=', runId).where('step_id', '=', step).executeTakeFirst();
const runRow = (runId: string) => db().selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
const signal = (runId: string, name: string, body: unknown, token = operator) => call('POST', `/runs/${runId}/signals/${name}`, { token, body });

beforeAll(async () => {
  projectId = await knownProject();
  operator = await service.jwks.sign({ projectId, role: 'operator' });
  [echo, probe] = await build(['examples/actions/echo', 'services/runner/test/actions/site-probe']) as [studio.PinnedAction, studio.PinnedAction];
}, 120_000);

describe('wait steps', () => {
  it('pause the run holding no call, survive a restart of the runner, and go on with the signal\'s payload', async () => {
    const workflowId = await deploy(projectId, approval('approval-restart', { signal: 'approved' }), [echo]);
    const run = await start(workflowId);
    // Its end is read from the database after the restart; this process's promise of it ends with the first runner.
    run.finished.catch(() => undefined);
    await eventually(() => stepRow(run.runId, 'approve'), (row) => row?.status === 'running');
    const attempts = () => db().selectFrom('step_attempts').select(['step_id', 'status']).where('run_id', '=', run.runId).execute();
    // The wait is an attempt of its own (its time is recorded); the step after it has not started.
    expect(await attempts()).toEqual([{ step_id: 'approve', status: 'running' }]);

    await restart();
    const sent = await signal(run.runId, 'approved', { by: 'ana' });
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ run_id: run.runId, signal: 'approved', step: 'approve' });
    const ended = await eventually(() => runRow(run.runId), (row) => row.status !== 'running', 20_000);
    expect(ended).toMatchObject({ status: 'succeeded', results: { said: 'approved by ana', by: 'ana' } });
    expect(await stepRow(run.runId, 'approve')).toMatchObject({ status: 'succeeded', outputs: { by: 'ana' } });
    expect((await attempts()).map((row) => `${row.step_id}:${row.status}`).sort()).toEqual(['approve:succeeded', 'say:succeeded']);
  });

  it('keeps a signal sent before the run reaches its step, and ends the step with it when it starts', async () => {
    const slow = { id: 'first', action: 'site-probe@1.0.0', inputs: { mode: 'sleep', ms: 1500 } };
    const workflowId = await deploy(projectId, approval('approval-early', { signal: 'approved' }, slow), [echo, probe]);
    const run = await start(workflowId);
    await eventually(() => stepRow(run.runId, 'first'), (row) => row?.status === 'running');
    expect((await signal(run.runId, 'approved', { by: 'early bird' })).status).toBe(202);
    expect(await stepRow(run.runId, 'approve')).toMatchObject({ status: 'waiting' });
    expect(await run.finished).toMatchObject({ status: 'succeeded', results: { by: 'early bird' } });
  });

  it('fails at its timeout with signal_timeout, or is skipped with what only it reaches (on_timeout: skip)', async () => {
    const failing = await deploy(projectId, approval('approval-late', { signal: 'approved', timeout: '1s' }), [echo]);
    const startedAt = Date.now();
    const late = await start(failing);
    expect(await late.finished).toMatchObject({ status: 'failed', error: { code: 'signal_timeout', step: 'approve' } });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1000);
    expect((await signal(late.runId, 'approved', { by: 'too late' })).body).toMatchObject({ status: 409, code: 'run_finished' });

    const skipping = await deploy(projectId, approval('approval-skip', { signal: 'approved', timeout: '1s', on_timeout: 'skip' }), [echo]);
    const skipped = await start(skipping);
    expect(await skipped.finished).toMatchObject({ status: 'succeeded', results: { said: null, by: null } });
    expect(await stepRow(skipped.runId, 'say')).toMatchObject({ status: 'skipped' });
  });

  it('waits out a delay (wait: { for }) holding no call, then goes on; no signal ends it early', async () => {
    const delayed = await deploy(projectId, {
      name: 'delayed', trigger: { type: 'manual' },
      steps: [{ id: 'pause', wait: { for: '1500ms' } }, { id: 'say', action: 'echo@1.0.0', needs: ['pause'], inputs: { text: 'after the pause' } }],
      results: { said: '${{ steps.say.text }}' },
    }, [echo]);
    const startedAt = Date.now();
    const run = await start(delayed);
    expect((await signal(run.runId, 'pause', {})).body).toMatchObject({ status: 404, code: 'unknown_signal' });
    expect(await run.finished).toMatchObject({ status: 'succeeded', results: { said: 'after the pause' } });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1500);
    expect(await stepRow(run.runId, 'pause')).toMatchObject({ status: 'succeeded' });
  });

  it('answers a clear problem to a wrong signal: unknown name, twice, a viewer, another project\'s run, an unknown run', async () => {
    const workflowId = await deploy(projectId, approval('approval-errors', { signal: 'approved' }), [echo]);
    const run = await start(workflowId);
    await eventually(() => stepRow(run.runId, 'approve'), (row) => row?.status === 'running');
    expect((await signal(run.runId, 'rejected', {})).body).toMatchObject({ status: 404, code: 'unknown_signal' });
    expect((await signal(run.runId, 'approved', ['not', 'an', 'object'])).status).toBe(400);
    const viewer = await service.jwks.sign({ projectId, role: 'viewer' });
    expect((await signal(run.runId, 'approved', { by: 'viewer' }, viewer)).status).toBe(403);
    const stranger = await service.jwks.sign({ projectId: await knownProject(), role: 'owner' });
    expect((await signal(run.runId, 'approved', { by: 'stranger' }, stranger)).body).toMatchObject({ status: 404, code: 'run_not_found' });
    expect((await signal(randomUUID(), 'approved', {})).body).toMatchObject({ status: 404, code: 'run_not_found' });
    expect((await signal('not-a-uuid', 'approved', {})).status).toBe(404);
    expect((await signal(run.runId, 'approved', { by: 'first' })).status).toBe(202);
    expect((await signal(run.runId, 'approved', { by: 'second' })).body).toMatchObject({ status: 409, code: 'already_signaled' });
    expect(await run.finished).toMatchObject({ status: 'succeeded', results: { by: 'first' } });
    const detail = await call('GET', `/runs/${run.runId}`, { token: operator });
    expect(detail.body.steps[0]).toMatchObject({ id: 'approve', action: '', signal: 'approved', status: 'succeeded', outputs: { by: 'first' } });
  });
});

describe('run timeout', () => {
  it('fails a run past the workflow\'s timeout with run_timeout and cancels its running call', async () => {
    const workflowId = await deploy(projectId, {
      name: 'slow-run', timeout: '1s', trigger: { type: 'manual' },
      steps: [{ id: 'nap', action: 'site-probe@1.0.0', inputs: { mode: 'sleep', ms: 5000 } }],
    }, [probe]);
    const startedAt = Date.now();
    const run = await start(workflowId);
    expect(await run.finished).toMatchObject({ status: 'failed', error: { code: 'run_timeout' } });
    const took = Date.now() - startedAt;
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(4500);
    expect(await stepRow(run.runId, 'nap')).toMatchObject({ status: 'canceled' });
  });
});
