// Trigger actions on the real runner (issue 12 acceptance): Postgres, RabbitMQ, the object store
// and real wrapper processes. A ticker emitting 100 events starts exactly 100 runs, one per event,
// all succeeding; its process killed with SIGKILL is started again (a new pid) and events flow
// again; an undeploy stops it (its process gone, no run after). The listing shows the trigger.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@trellis/platform/testing/eventually';
import { makeCall } from '@trellis/platform/testing/http-call';
import { publishAs } from '@trellis/platform/testing/service-harness';
import * as studio from '../src/infrastructure/pb/studio/v1/events.js';
import { useEngineRunner } from './engine-support.js';

const { service, db, build, knownProject, deploy } = useEngineRunner();
const call = makeCall(() => service.base);

let projectId = '';
let ticker: studio.PinnedAction;
let addOne: studio.PinnedAction;

/** The ticker's events, each run adding one to its `n`. */
const ticking = (name: string, inputs: Record<string, unknown>) => ({
  name, trigger: { type: 'action', action: 'ticker@1.0.0', inputs },
  steps: [{ id: 'next', action: 'add-one@1.0.0', inputs: { n: '${{ trigger.n }}' } }],
  results: { n: '${{ steps.next.n }}' },
});

const runsOf = (workflowId: string) => db().selectFrom('runs').select(['id', 'status', 'trigger_type', 'trigger_outputs', 'results']).where('workflow_id', '=', workflowId).execute();

type TriggerView = { status: string; restarts: number; last_error: string | null; events: number; refused: number; pid: number | null } | null;

/** What GET /runner/deployments says of the workflow's trigger (as a viewer of the project). */
async function triggerOf(workflowId: string): Promise<TriggerView> {
  const listed = await call('GET', '/deployments?limit=100', { token: await service.jwks.sign({ projectId, role: 'viewer' }) });
  expect(listed.status).toBe(200);
  const items = (listed.body as { items: { workflow_id: string; trigger_action: TriggerView }[] }).items;
  return items.find((item) => item.workflow_id === workflowId)?.trigger_action ?? null;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function undeploy(workflowId: string): Promise<void> {
  await publishAs(service.vhost.url, 'studio', 'trellis.studio.v1.WorkflowUndeployRequested', studio.WorkflowUndeployRequested.encode(studio.WorkflowUndeployRequested.fromPartial({
    meta: { eventId: randomUUID(), occurredAt: new Date(), projectId, traceId: 'trace' }, workflowId, deploymentId: randomUUID(),
    mode: studio.UndeployMode.UNDEPLOY_MODE_GRACEFUL, requestedBy: randomUUID(),
  })).finish());
  await eventually(() => db().selectFrom('deployments').select('status').where('workflow_id', '=', workflowId).executeTakeFirstOrThrow(), (row) => row.status === 'undeployed', 30_000);
}

beforeAll(async () => {
  projectId = await knownProject();
  [ticker, addOne] = await build(['services/runner/test/actions/ticker', 'examples/actions/add-one']) as [studio.PinnedAction, studio.PinnedAction];
}, 120_000);

describe('a trigger action', () => {
  it('starts one run per event: 100 events, exactly 100 runs, each with its n, all succeeded', async () => {
    const workflowId = await deploy(projectId, ticking('hundred', { count: 100 }), [ticker, addOne]);
    const runs = await eventually(() => runsOf(workflowId), (rows) => rows.length >= 100 && rows.every((row) => row.status === 'succeeded'), 60_000);
    const trigger = await eventually(() => triggerOf(workflowId), (view) => view?.events === 100, 10_000);
    expect(trigger).toMatchObject({ status: 'listening', restarts: 0, events: 100, refused: 0 });
    const again = await runsOf(workflowId);
    expect(again).toHaveLength(100);
    expect(runs.every((row) => row.trigger_type === 'action')).toBe(true);
    const numbers = again.map((row) => (row.trigger_outputs as { n: number }).n).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(again.map((row) => (row.results as { n: number }).n).sort((a, b) => a - b)).toEqual(numbers.map((n) => n + 1));
    await undeploy(workflowId);
  }, 120_000);

  it('is started again when its process is killed (a new pid, events flow again), and stops on undeploy', async () => {
    const workflowId = await deploy(projectId, ticking('forever', { count: 0, interval_ms: 50 }), [ticker, addOne]);
    const first = await eventually(() => triggerOf(workflowId), (view) => (view?.events ?? 0) >= 3 && view?.pid !== null, 30_000);
    const pid = first?.pid as number;
    process.kill(pid, 'SIGKILL');
    const restarted = await eventually(() => triggerOf(workflowId), (view) => view?.status === 'listening' && view.pid !== null && view.pid !== pid && view.restarts >= 1, 30_000);
    expect(restarted?.last_error).toMatch(/died|stream/);
    // Events flow from the new process: runs whose trigger outputs name its pid.
    const newPid = restarted?.pid as number;
    await eventually(async () => (await runsOf(workflowId)).filter((row) => (row.trigger_outputs as { pid: number }).pid === newPid).length, (count) => count >= 3, 30_000);
    expect(alive(pid)).toBe(false);

    await undeploy(workflowId);
    expect(await triggerOf(workflowId)).toBeNull();
    await eventually(async () => alive(newPid), (living) => !living, 15_000);
    const after = (await runsOf(workflowId)).length;
    // A run of another ticker starting and finishing proves time went by with this one stopped.
    const other = await deploy(projectId, ticking('other', { count: 2 }), [ticker, addOne]);
    await eventually(() => runsOf(other), (rows) => rows.length === 2 && rows.every((row) => row.status === 'succeeded'), 30_000);
    expect((await runsOf(workflowId)).length).toBe(after);
    await undeploy(other);
  }, 120_000);
});
