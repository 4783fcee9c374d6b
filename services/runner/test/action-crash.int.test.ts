// An action process killed mid-run, through the engine (issue 11 acceptance), on real Postgres,
// RabbitMQ, object store and wrapper processes: the execution fails with runtime_crashed (no retry
// policy yet, so the run fails with it), the site starts the process again, the next run succeeds.
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@trellis/platform/testing/eventually';
import type * as studio from '../src/infrastructure/pb/studio/v1/events.js';
import { useEngineRunner } from './engine-support.js';

const { runner, db, build, knownProject, deploy } = useEngineRunner();

let projectId = '';
let workflowId = '';
let probe: studio.PinnedAction;

const probeStats = () => runner().site.stats().find((s) => s.actionVersion === 'site-probe@1.0.0');
const probePid = () => runner().site.pidOf({ projectId, actionId: probe.id, version: probe.version, digest: probe.digest });

async function started(ms: number) {
  const result = await runner().engine.start({ projectId, workflowId, triggerType: 'http', triggerOutputs: { ms }, traceId: 'trace' });
  if (!result.ok) throw new Error(`refused: ${result.error.type}`);
  return result.value;
}

describe('an action process killed mid-run', () => {
  beforeAll(async () => {
    projectId = await knownProject();
    [probe] = await build(['services/runner/test/actions/site-probe']) as [studio.PinnedAction];
    workflowId = await deploy(projectId, {
      name: 'napper', trigger: { type: 'http', path: 'napper', inputs: [{ name: 'ms', type: 'integer' }] },
      steps: [{ id: 'nap', action: 'site-probe@1.0.0', inputs: { mode: 'sleep', ms: '${{ trigger.ms }}' } }],
      results: { result: '${{ steps.nap.result }}' },
    }, [probe]);
  }, 120_000);

  it('fails the step and the run with runtime_crashed; the site starts the process again and the next run succeeds', async () => {
    const pid = probePid();
    expect(pid).toBeGreaterThan(0);
    const run = await started(20_000);
    await eventually(async () => probeStats()?.inFlight, (n) => n === 1, 10_000);
    process.kill(pid as number, 'SIGKILL');

    const end = await run.finished;
    expect(end).toMatchObject({ runId: run.runId, status: 'failed', results: null, error: { code: 'runtime_crashed', step: 'nap' } });
    const step = await db().selectFrom('step_runs').selectAll().where('run_id', '=', run.runId).executeTakeFirstOrThrow();
    expect(step).toMatchObject({ step_id: 'nap', status: 'failed', attempt: 1, error: { code: 'runtime_crashed' } });
    const attempts = await db().selectFrom('step_attempts').selectAll().where('run_id', '=', run.runId).execute();
    expect(attempts.map((a) => [a.attempt, a.status, (a.error as { code?: string } | null)?.code])).toEqual([[1, 'failed', 'runtime_crashed']]);
    expect(probeStats()).toMatchObject({ state: 'crashed', processes: 0 });

    const next = await started(1);
    expect(await next.finished).toEqual({ runId: next.runId, status: 'succeeded', results: { result: { running: 1 } }, error: null });
    expect(probeStats()).toMatchObject({ state: 'ready', processes: 1, restarts: 1 });
    expect(probePid()).toBeGreaterThan(0);
    expect(probePid()).not.toBe(pid);
  });

  it('stops a Node action\'s process when a call times out, so nothing runs beside the hung handler (issue 12)', async () => {
    const hung = await deploy(projectId, {
      name: 'hung', trigger: { type: 'http', path: 'hung', inputs: [{ name: 'ms', type: 'integer' }] },
      steps: [{ id: 'nap', action: 'site-probe@1.0.0', inputs: { mode: 'sleep', ms: '${{ trigger.ms }}' }, timeout: '400ms' }],
      results: { result: '${{ steps.nap.result }}' },
    }, [probe]);
    const start = async (ms: number) => {
      const result = await runner().engine.start({ projectId, workflowId: hung, triggerType: 'http', triggerOutputs: { ms }, traceId: 'trace' });
      if (!result.ok) throw new Error(`refused: ${result.error.type}`);
      return result.value;
    };
    await (await start(1)).finished;
    const pid = probePid();
    const slow = await start(3000);
    expect(await slow.finished).toMatchObject({ status: 'failed', error: { code: 'timeout', step: 'nap' } });
    // The handler that timed out would still sleep for seconds in its old process: the next call runs alone, elsewhere.
    const next = await start(1);
    expect(await next.finished).toMatchObject({ status: 'succeeded', results: { result: { running: 1 } } });
    expect(probePid()).not.toBe(pid);
  }, 60_000);
});
