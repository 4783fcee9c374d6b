// Schedule triggers (issue 12) on real Postgres, RabbitMQ, object store and wrapper processes,
// fired by real runner processes (dist/main.js as children, so they can be killed with SIGKILL):
// an every-second cron fires each tick once with two runner processes (the database says so: one
// run per tick, its deterministic id, no tick skipped); undeploy stops it, a redeploy takes its
// new cron; after a kill -9 and a restart, `catch_up` fires the ticks of the gap (each once) and
// `skip` does not. The in-process runner (deploys, the HTTP API) fires none (TRELLIS_RUNNER_SCHEDULES=off).
// Two creations of one tick's run racing on its id: the loser is answered with the winner's run.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateSealingKeyPair } from '@trellis/platform/crypto/sealed-box';
import { eventually } from '@trellis/platform/testing/eventually';
import { makeCall } from '@trellis/platform/testing/http-call';
import { publishAs } from '@trellis/platform/testing/service-harness';
import * as studio from '../src/infrastructure/pb/studio/v1/events.js';
import { makeRunStore } from '../src/infrastructure/postgres/run-store.js';
import { scheduledRunId } from '../src/infrastructure/schedule-job.js';
import { LEASE_MS, useEngineRunner } from './engine-support.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/main.js');
/** Ticks later than this when a scheduler finds them were missed (the policy decides). */
const MISFIRE_MS = 1500;

const { service, runner, db, build, knownProject, deploy } = useEngineRunner({ TRELLIS_RUNNER_SCHEDULES: 'off' });
const call = makeCall(() => service.base);

let projectId = '';
let echo: studio.PinnedAction;

type Child = { child: ChildProcess; exited: Promise<unknown>; output: () => string };
const children: Child[] = [];

/** A runner process (its real main.js) on the test's database, vhost and store; resolves once it listens. */
async function startRunnerProcess(): Promise<Child> {
  const store = service.store.config;
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env['PATH'] ?? '', TRELLIS_HTTP_PORT: '0', TRELLIS_LOG_LEVEL: 'info',
      TRELLIS_DATABASE_URL: service.database.url, TRELLIS_AMQP_URL: service.vhost.url, TRELLIS_AUTH_JWKS_URL: service.jwks.url,
      TRELLIS_S3_ENDPOINT: store.endpoint, TRELLIS_S3_ACCESS_KEY: store.accessKey, TRELLIS_S3_SECRET_KEY: store.secretKey, TRELLIS_S3_BUCKET: store.bucket,
      TRELLIS_MESSAGE_RETRY_DELAYS_MS: '100,200,400', TRELLIS_SEALING_KEY: generateSealingKeyPair().privateKey, TRELLIS_RUNNER_LEASE_MS: String(LEASE_MS),
      TRELLIS_RUNNER_WORK_DIR: await mkdtemp(path.join(tmpdir(), 'trellis-schedules-')), TRELLIS_RUNNER_SCHEDULE_MISFIRE_MS: String(MISFIRE_MS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a kill -9 takes the runner down at once, as a node failing would.
    detached: true,
  });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const started: Child = { child, exited, output: () => output };
  children.push(started);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the runner did not start:\n${output.slice(-4000)}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output = (output + String(chunk)).slice(-200_000);
      if (!/"message":"listening"/.test(output)) return;
      clearTimeout(timer);
      resolve(started);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => reject(new Error(`the runner exited:\n${output.slice(-4000)}`)));
  });
}

async function stopGracefully(runner: Child): Promise<void> {
  runner.child.kill('SIGTERM');
  await runner.exited;
}

async function killHard(runner: Child): Promise<void> {
  process.kill(-(runner.child.pid ?? 0), 'SIGKILL');
  await runner.exited;
}

/** A workflow whose trigger is `schedule` (`missed` and more as given), one echo step. */
const scheduled = (name: string, schedule: Record<string, unknown>) => ({
  name, trigger: { type: 'schedule', cron: '* * * * * *', inputs: { text: name }, ...schedule },
  steps: [{ id: 'say', action: 'echo@1.0.0', inputs: { text: '${{ trigger.text }}' } }],
  results: { text: '${{ steps.say.text }}' },
});

type TickRun = { id: string; tick: number; createdAt: number; triggerType: string; triggerOutputs: unknown };

/** The workflow's runs, by tick (from their idempotency key `schedule:<tick>`). */
async function tickRuns(workflowId: string): Promise<TickRun[]> {
  const rows = await db().selectFrom('runs').select(['id', 'idempotency_key', 'created_at', 'trigger_type', 'trigger_outputs']).where('workflow_id', '=', workflowId).execute();
  return rows.map((row) => ({
    id: row.id, tick: Date.parse(String(row.idempotency_key).replace(/^schedule:/, '')), createdAt: row.created_at.getTime(),
    triggerType: row.trigger_type, triggerOutputs: row.trigger_outputs,
  })).sort((a, b) => a.tick - b.tick);
}

/** Every tick of the runs fired once, by its own run id, each one second after the one before (none skipped). */
function expectEachTickOnce(workflowId: string, runs: readonly TickRun[]): void {
  const ticks = runs.map((run) => run.tick);
  expect(new Set(ticks).size).toBe(ticks.length);
  expect(runs.map((run) => run.id)).toEqual(runs.map((run) => scheduledRunId(workflowId, new Date(run.tick))));
  const gaps = ticks.slice(1).map((tick, n) => tick - (ticks[n] ?? 0));
  expect(gaps.filter((gap) => gap !== 1000)).toEqual([]);
}

const until = (workflowId: string, done: (runs: TickRun[]) => boolean, timeoutMs = 60_000) => eventually(() => tickRuns(workflowId), done, timeoutMs);

async function undeploy(workflowId: string): Promise<void> {
  await publishAs(service.vhost.url, 'studio', 'trellis.studio.v1.WorkflowUndeployRequested', studio.WorkflowUndeployRequested.encode(studio.WorkflowUndeployRequested.fromPartial({
    meta: { eventId: randomUUID(), occurredAt: new Date(), projectId, traceId: 'trace' }, workflowId, deploymentId: randomUUID(),
    mode: studio.UndeployMode.UNDEPLOY_MODE_GRACEFUL, requestedBy: randomUUID(),
  })).finish());
  await eventually(() => db().selectFrom('deployments').select('status').where('workflow_id', '=', workflowId).executeTakeFirst(), (row) => row?.status === 'undeployed', 30_000);
}

/** Version 2 of the workflow, as studio sends a redeploy; waits until it serves. */
async function redeploy(workflowId: string, document: Record<string, unknown>): Promise<void> {
  await publishAs(service.vhost.url, 'studio', 'trellis.studio.v1.WorkflowDeployRequested', studio.WorkflowDeployRequested.encode(studio.WorkflowDeployRequested.fromPartial({
    meta: { eventId: randomUUID(), occurredAt: new Date(), projectId, traceId: 'trace' }, workflowId, workflowName: String(document['name']), version: 2,
    checksum: 'd'.repeat(64), deploymentId: randomUUID(), documentJson: JSON.stringify({ apiVersion: 'trellis.dev/v1', kind: 'Workflow', ...document }),
    actions: [echo], requestedBy: randomUUID(), files: [],
  })).finish());
  await eventually(() => db().selectFrom('deployments').select(['status', 'serving_version']).where('workflow_id', '=', workflowId).executeTakeFirst(),
    (row) => row?.status === 'active' && row.serving_version === 2, 30_000);
}

/** What GET /runner/deployments says of the workflow's next run. */
async function nextRunAt(workflowId: string): Promise<string | null | undefined> {
  const listed = await call('GET', '/deployments?limit=100', { token: await service.jwks.sign({ projectId, role: 'viewer' }) });
  expect(listed.status).toBe(200);
  return (listed.body as { items: { workflow_id: string; next_run_at: string | null }[] }).items.find((item) => item.workflow_id === workflowId)?.next_run_at;
}

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` (make test does) before this test`);
  projectId = await knownProject();
  [echo] = await build(['examples/actions/echo']) as [studio.PinnedAction];
}, 120_000);

// No runner process of a test fires the next test's schedules (a failed test leaves its own running).
afterEach(async () => {
  for (const { child } of children) if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid ?? 0), 'SIGKILL');
  await Promise.all(children.splice(0).map((runner) => runner.exited));
}, 30_000);

describe('an every-second schedule', () => {
  it('fires each tick once with two runner processes; undeploy stops it; a redeploy takes its new cron', async () => {
    const [first, second] = await Promise.all([startRunnerProcess(), startRunnerProcess()]);
    const workflowId = await deploy(projectId, scheduled('every-second', { missed: 'catch_up', catch_up_limit: 100 }), [echo]);
    const next = await nextRunAt(workflowId);
    expect(Date.parse(String(next))).toBeGreaterThan(Date.now() - 5_000);

    const runs = await until(workflowId, (rows) => rows.length >= 6);
    expectEachTickOnce(workflowId, runs);
    expect(runs[0]).toMatchObject({ triggerType: 'schedule', triggerOutputs: { text: 'every-second' } });
    const detail = await call('GET', `/runs/${runs[0]?.id ?? ''}`, { token: await service.jwks.sign({ projectId, role: 'viewer' }) });
    expect(detail.body).toMatchObject({ trigger: 'schedule', scheduled_at: new Date(runs[0]?.tick ?? 0).toISOString() });
    await eventually(() => db().selectFrom('runs').select('status').where('id', '=', runs[0]?.id ?? '').executeTakeFirst(), (row) => row?.status === 'succeeded', 30_000);

    // A new cron (even seconds only) from the redeploy on.
    await redeploy(workflowId, scheduled('every-second', { cron: '*/2 * * * * *', missed: 'catch_up' }));
    const redeployedAt = Date.now();
    const after = (rows: TickRun[]) => rows.filter((run) => run.createdAt > redeployedAt + 500);
    const even = after(await until(workflowId, (rows) => after(rows).length >= 3));
    expect(even.map((run) => new Date(run.tick).getUTCSeconds() % 2)).toEqual(even.map(() => 0));

    // Undeploy: once it is undeployed, no later tick fires, while another schedule goes on ticking.
    await undeploy(workflowId);
    const undeployedAt = Date.now();
    expect(await db().selectFrom('schedules').select('workflow_id').where('workflow_id', '=', workflowId).executeTakeFirst()).toBeUndefined();
    const other = await deploy(projectId, scheduled('still-ticking', {}), [echo]);
    await until(other, (rows) => rows.filter((run) => run.createdAt > undeployedAt + 2_000).length >= 2);
    expect((await tickRuns(workflowId)).filter((run) => run.tick > undeployedAt)).toEqual([]);
    await undeploy(other);

    expectEachTickOnce(workflowId, (await tickRuns(workflowId)).filter((run) => run.tick < redeployedAt));
    await Promise.all([stopGracefully(first), stopGracefully(second)]);
  }, 180_000);

  it('after a kill -9 and a restart of the runner, catch_up fires the ticks of the gap once each, and skip fires none of them', async () => {
    const first = await startRunnerProcess();
    const catchUp = await deploy(projectId, scheduled('catch-up', { missed: 'catch_up', catch_up_limit: 100 }), [echo]);
    const skip = await deploy(projectId, scheduled('skip', { missed: 'skip' }), [echo]);
    await Promise.all([until(catchUp, (rows) => rows.length >= 3), until(skip, (rows) => rows.length >= 3)]);

    await killHard(first);
    const killedAt = Date.now();
    // Down for a while: every tick of the gap is older than the misfire threshold once it runs again.
    await sleep(4_000);
    const restartedAt = Date.now();
    await startRunnerProcess();
    const afterRestart = (rows: TickRun[]) => rows.filter((run) => run.tick > restartedAt + 1_000);
    const [caught, skipped] = await Promise.all([until(catchUp, (rows) => afterRestart(rows).length >= 3), until(skip, (rows) => afterRestart(rows).length >= 3)]);

    // catch_up: no tick missing from first to last, the gap's fired after the restart.
    expectEachTickOnce(catchUp, caught);
    const gap = (rows: TickRun[]) => rows.filter((run) => run.tick > killedAt + 500 && run.tick < restartedAt - MISFIRE_MS);
    expect(gap(caught).length).toBeGreaterThanOrEqual(2);
    expect(gap(caught).every((run) => run.createdAt > restartedAt)).toBe(true);
    // skip: none of the gap's ticks; each tick it fired, once.
    expect(gap(skipped)).toEqual([]);
    expect(new Set(skipped.map((run) => run.tick)).size).toBe(skipped.length);
  }, 180_000);
});

describe('one tick fired by two processes at once', () => {
  it('the creation that loses on the run id is answered with the run of the tick (no error)', async () => {
    // The race made certain: a transaction holds an uncommitted row with the tick's run id (its key
    // not set yet); the store's insert of the same id waits on it; then the row takes the tick's key and commits.
    const workflowId = await deploy(projectId, scheduled('raced', { cron: '0 0 1 1 *' }), [echo]);
    const key = 'schedule:2030-01-01T00:00:00.000Z';
    const runId = scheduledRunId(workflowId, new Date('2030-01-01T00:00:00Z'));
    const store = makeRunStore(db(), { processId: runner().processId, leaseMs: LEASE_MS });
    const created = await db().transaction().execute(async (trx) => {
      await trx.insertInto('runs').values({
        id: runId, project_id: projectId, workflow_id: workflowId, version: 1, status: 'succeeded', trigger_type: 'schedule', trigger_outputs: '{}',
        owner_epoch: '0', created_at: new Date(), started_at: new Date(), finished_at: new Date(),
      }).execute();
      const create = store.create({ id: runId, projectId, workflowId, version: 1, triggerType: 'schedule', triggerOutputs: {}, idempotencyKey: key, at: new Date(), steps: [], attempts: [] });
      create.catch(() => undefined);
      const waiting = sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%created as (%insert into runs%'`;
      await eventually(async () => (await waiting.execute(db())).rows[0]?.n ?? 0, (n) => n > 0, 10_000);
      await trx.updateTable('runs').set({ idempotency_key: key }).where('id', '=', runId).execute();
      // Wrapped: a promise returned would be awaited before the commit it waits for.
      return { create };
    });
    expect(await created.create).toEqual({ type: 'existing', runId });
  });
});
