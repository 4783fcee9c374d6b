// Undeploying a workflow with runs in flight, on real Postgres, RabbitMQ, object store and action
// processes: the request only stops new runs; the deployment job waits for (graceful) or cancels
// (immediate) the runs in flight outside any transaction, then answers WorkflowUndeployed.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@trellis/platform/testing/eventually';
import { publishAs } from '@trellis/platform/testing/service-harness';
import * as runnerPb from '../src/infrastructure/pb/runner/v1/events.js';
import * as studio from '../src/infrastructure/pb/studio/v1/events.js';
import { useEngineRunner } from './engine-support.js';

const { service, runner, db, build, knownProject, deploy, restart } = useEngineRunner();

let projectId = '';
let probe: studio.PinnedAction;

/** One step that sleeps `ms` (the site probe action), on its own HTTP path. */
const sleeper = (name: string) => ({
  name, trigger: { type: 'http', path: name, inputs: [{ name: 'ms', type: 'integer' }] },
  steps: [{ id: 'nap', action: 'site-probe@1.0.0', inputs: { mode: 'sleep', ms: '${{ trigger.ms }}' } }],
  results: { result: '${{ steps.nap.result }}' },
});

async function started(workflowId: string, ms: number) {
  const result = await runner().engine.start({ projectId, workflowId, triggerType: 'http', triggerOutputs: { ms }, traceId: 'trace' });
  if (!result.ok) throw new Error(`refused: ${result.error.type}`);
  return result.value;
}

async function undeployRequested(workflowId: string, mode: studio.UndeployMode): Promise<string> {
  const deploymentId = randomUUID();
  await publishAs(service.vhost.url, 'studio', 'trellis.studio.v1.WorkflowUndeployRequested', studio.WorkflowUndeployRequested.encode(studio.WorkflowUndeployRequested.fromPartial({
    meta: { eventId: randomUUID(), occurredAt: new Date(), projectId, traceId: 'trace' }, workflowId, deploymentId, mode, requestedBy: randomUUID(),
  })).finish());
  return deploymentId;
}

const deploymentOf = (workflowId: string) => db().selectFrom('deployments').selectAll().where('workflow_id', '=', workflowId).executeTakeFirstOrThrow();
const runOf = (runId: string) => db().selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();

/** The WorkflowUndeployed the runner put in its outbox for `deploymentId`, once it is there. */
const undeployedAnswer = (deploymentId: string) => eventually(async () => {
  const rows = await db().selectFrom('outbox').select(['payload', 'occurred_at']).where('message_type', '=', 'trellis.runner.v1.WorkflowUndeployed').execute();
  return rows.map((row) => ({ message: runnerPb.WorkflowUndeployed.decode(row.payload), occurredAt: row.occurred_at })).find((answer) => answer.message.deploymentId === deploymentId);
}, (answer) => answer !== undefined, 20_000);

describe('undeploying a workflow with a run in flight', () => {
  beforeAll(async () => {
    projectId = await knownProject();
    [probe] = await build(['services/runner/test/actions/site-probe']) as [studio.PinnedAction];
  }, 120_000);

  it('graceful: stops new runs at once (NotServing), lets the run in flight finish, then answers WorkflowUndeployed', async () => {
    const workflowId = await deploy(projectId, sleeper('graceful'), [probe]);
    const run = await started(workflowId, 2000);
    const deploymentId = await undeployRequested(workflowId, studio.UndeployMode.UNDEPLOY_MODE_GRACEFUL);
    await eventually(() => deploymentOf(workflowId), (row) => row.status === 'undeploying', 10_000);
    expect(await deploymentOf(workflowId)).toMatchObject({ serving_version: null, mode: 'graceful' });
    expect(await runner().engine.start({ projectId, workflowId, triggerType: 'http', triggerOutputs: { ms: 1 }, traceId: 'trace' }))
      .toEqual({ ok: false, error: { type: 'NotServing' } });

    expect(await run.finished).toMatchObject({ status: 'succeeded', results: { result: { running: 1 } } });
    const answer = await undeployedAnswer(deploymentId);
    expect(answer?.message).toMatchObject({ workflowId, version: 1 });
    expect(answer?.occurredAt.getTime()).toBeGreaterThanOrEqual((await runOf(run.runId)).finished_at?.getTime() ?? Infinity);
    expect(await deploymentOf(workflowId)).toMatchObject({ status: 'undeployed', serving_version: null });
  });

  it('immediate: cancels the run in flight through the engine, then answers WorkflowUndeployed', async () => {
    const workflowId = await deploy(projectId, sleeper('immediate'), [probe]);
    const run = await started(workflowId, 20_000);
    await eventually(async () => runner().site.stats().find((s) => s.actionVersion === 'site-probe@1.0.0')?.inFlight, (n) => n === 1, 10_000);
    const deploymentId = await undeployRequested(workflowId, studio.UndeployMode.UNDEPLOY_MODE_IMMEDIATE);
    expect(await run.finished).toEqual({ runId: run.runId, status: 'canceled', results: null, error: null });
    const answer = await undeployedAnswer(deploymentId);
    expect(answer?.message).toMatchObject({ workflowId, version: 1 });
    expect(answer?.occurredAt.getTime()).toBeGreaterThanOrEqual((await runOf(run.runId)).finished_at?.getTime() ?? Infinity);
    expect(await deploymentOf(workflowId)).toMatchObject({ status: 'undeployed', mode: 'immediate', serving_version: null });
  });

  it('is resumed by the next start when the runner stops while it waits: the run is taken over and finishes, then WorkflowUndeployed', async () => {
    const workflowId = await deploy(projectId, sleeper('resumed'), [probe]);
    const run = await started(workflowId, 6000);
    run.finished.catch(() => undefined); // the stopping process lets go of the run: its end comes from the next one
    const deploymentId = await undeployRequested(workflowId, studio.UndeployMode.UNDEPLOY_MODE_GRACEFUL);
    await eventually(() => deploymentOf(workflowId), (row) => row.status === 'undeploying', 10_000);
    await restart();
    expect(await deploymentOf(workflowId)).toMatchObject({ status: 'undeploying' });
    expect(await runner().engine.awaitEnd(projectId, run.runId)).toMatchObject({ status: 'succeeded' });
    const answer = await undeployedAnswer(deploymentId);
    expect(answer?.message).toMatchObject({ workflowId, version: 1 });
    expect(answer?.occurredAt.getTime()).toBeGreaterThanOrEqual((await runOf(run.runId)).finished_at?.getTime() ?? Infinity);
  }, 60_000);
});
