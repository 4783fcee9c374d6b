// Issue 18, part 2: the failure stories of other engines (DESIGN.md section 8), each reproduced
// on the real runner: its dist/main.js as child processes a test can kill -9, pause or cut off
// from PostgreSQL, beside an in-process runner (its engine, scheduler code and store) on the same
// database, broker and object store. Real actions, real PostgreSQL; a fake clock only where a
// real one cannot be moved (the DST night). Writes results/stories.{json,md} and prints the table.
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateSealingKeyPair } from '@trellis/platform/crypto/sealed-box';
import { makeLogger } from '@trellis/platform/logger';
import { makeDatabase } from '@trellis/platform/postgres/db';
import { eventually } from '@trellis/platform/testing/eventually';
import { makeCall } from '@trellis/platform/testing/http-call';
import type { ServiceUnderTest } from '@trellis/platform/testing/service-harness';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fireDueSchedules } from '../../services/runner/src/application/fire-schedules.js';
import type * as studio from '../../services/runner/src/infrastructure/pb/studio/v1/events.js';
import { makeRunStore } from '../../services/runner/src/infrastructure/postgres/run-store.js';
import { makeScheduleStore } from '../../services/runner/src/infrastructure/postgres/schedule-repository.js';
import type { Database } from '../../services/runner/src/infrastructure/postgres/schema.js';
import { scheduledRunId } from '../../services/runner/src/infrastructure/schedule-job.js';
import { LEASE_MS, aGatedSite, useEngineRunner } from '../../services/runner/test/engine-support.js';
import { startPgListenProxy } from './stories/pg-listen-proxy.js';
import { writeStoryResults, type StoryOutcome } from './stories/results.js';
import { makeRunnerProcesses, type RunnerProcess } from './stories/runner-processes.js';
import { STORIES, type StoryName } from './stories/story-list.js';
import { addChain, ledgerThenAdd, retriedLedger, scheduled, type LedgerLine } from './stories/workflows.js';
import { sized } from './support/scale.js';

const { service, runner, db, build, knownProject, deploy, anotherEngine } = useEngineRunner({ TRELLIS_RUNNER_SCHEDULES: 'off' });
const processes = makeRunnerProcesses(() => service as ServiceUnderTest<unknown>, {
  TRELLIS_MESSAGE_RETRY_DELAYS_MS: '100,200,400', TRELLIS_SEALING_KEY: generateSealingKeyPair().privateKey,
  TRELLIS_RUNNER_LEASE_MS: String(LEASE_MS), TRELLIS_RUNNER_SCHEDULES: 'off',
});
const call = makeCall(() => service.base);

let projectId = '';
let projectName = '';
let actions: studio.PinnedAction[] = [];
const outcomes = new Map<StoryName, StoryOutcome>();
/** Replicas racing for the same orphaned runs (one connection each: the database's limit is shared). */
const CLAIMERS = 6;

/** Marks the story passed with what it measured (called as each story's last line). */
const passed = (name: StoryName, figures: string) => outcomes.set(name, { ...STORIES[name], outcome: 'passed', figures });

type Posted = { status: number; runId: string; n: number };

/** POSTs each input to the user API of `base` (async triggers answer 202 with the run's id). */
async function post(base: string, workflowPath: string, inputs: readonly Record<string, unknown>[]): Promise<Posted[]> {
  return Promise.all(inputs.map(async (input) => {
    const response = await fetch(`${base}/user-api/${projectName}/${workflowPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
    const body = await response.json() as { run_id?: string };
    return { status: response.status, runId: body.run_id ?? '', n: Number(input['n'] ?? 0) };
  }));
}

const runsOf = (ids: readonly string[]) => db().selectFrom('runs').select(['id', 'status', 'owner', 'owner_epoch', 'results', 'trigger_outputs', 'finished_at']).where('id', 'in', ids).execute();
const attemptsOf = (ids: readonly string[]) => db().selectFrom('step_attempts').select(['run_id', 'step_id', 'attempt', 'status', 'error']).where('run_id', 'in', ids).execute();
const stepsOf = (ids: readonly string[]) => db().selectFrom('step_runs').select(['run_id', 'step_id', 'status', 'attempt', 'outputs']).where('run_id', 'in', ids).execute();
const ended = async (ids: readonly string[]) => (await runsOf(ids)).filter((run) => run.status !== 'queued' && run.status !== 'running').length;
const errorCode = (error: unknown) => (error as { code?: string } | null)?.code ?? null;

/** Every run succeeded with n + `added`, each of its `steps` succeeded once, and that one attempt is the one recorded. */
async function expectEachOutcomeOnce(ids: readonly string[], added: number, steps: number): Promise<void> {
  const runs = await runsOf(ids);
  expect(runs.filter((run) => run.status !== 'succeeded' || (run.results as { n: number }).n !== (run.trigger_outputs as { n: number }).n + added)).toEqual([]);
  const recorded = await stepsOf(ids);
  expect(recorded.filter((step) => step.status === 'succeeded')).toHaveLength(ids.length * steps);
  const attempts = await attemptsOf(ids);
  const succeeded = attempts.filter((a) => a.status === 'succeeded');
  expect(succeeded).toHaveLength(ids.length * steps);
  const recordedAttempt = new Map(recorded.map((step) => [`${step.run_id}/${step.step_id}`, step.attempt]));
  expect(succeeded.filter((a) => recordedAttempt.get(`${a.run_id}/${a.step_id}`) !== a.attempt)).toEqual([]);
  expect(attempts.filter((a) => a.status === 'running')).toEqual([]);
}

async function ledgerLines(file: string): Promise<LedgerLine[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as LedgerLine);
}

const aLedger = async () => {
  const file = path.join(tmpdir(), `trellis-ledger-${randomUUID()}.jsonl`);
  await writeFile(file, '');
  return file;
};

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  projectId = await knownProject();
  projectName = `p-${projectId.slice(0, 8)}`;
  actions = await build(['examples/actions/add-one', 'examples/actions/echo', 'test/reliability/stories/actions/ledger']);
}, 180_000);

afterEach(async () => {
  await processes.killAll();
}, 30_000);

afterAll(async () => {
  await writeStoryResults(Object.entries(STORIES).map(([name, story]) => outcomes.get(name as StoryName) ?? { ...story, outcome: 'failed' as const, figures: '' }));
});

describe('the failure stories of other engines', () => {
  it('a slow action whose lease expired reports late: its outcome is dropped, the takeover\'s stays', async () => {
    await deploy(projectId, ledgerThenAdd('late-report'), actions);
    const ledger = await aLedger();
    const owner = await processes.start();
    const [accepted] = await post(owner.url, 'late-report', [{ n: 1, ledger, first_ms: 8000 }]);
    expect(accepted?.status).toBe(202);
    const runId = accepted?.runId ?? '';
    await eventually(() => ledgerLines(ledger), (lines) => lines.some((line) => line.what === 'start' && line.attempt === 1), 15_000);
    // A stop-the-world pause (GC, a frozen VM): no heartbeat, but the action goes on in its own process.
    process.kill(owner.child.pid ?? 0, 'SIGSTOP');
    const pausedAt = Date.now();
    let end;
    try {
      end = await eventually(() => runsOf([runId]), ([run]) => run?.status === 'succeeded', 30_000);
    } finally {
      process.kill(owner.child.pid ?? 0, 'SIGCONT');
    }
    const takenOverIn = Date.now() - pausedAt;
    const settled = end[0];
    expect(settled).toMatchObject({ owner: runner().processId, owner_epoch: 2, results: { n: 3 } });
    // The paused process wakes with its attempt's late answer: dropped, nothing written.
    await eventually(async () => owner.output(), (output) => output.includes('run owned elsewhere now; outcome dropped') && output.includes(runId), 20_000);
    expect((await runsOf([runId]))[0]).toEqual(settled);
    expect((await stepsOf([runId])).find((step) => step.step_id === 'slow')).toMatchObject({ status: 'succeeded', attempt: 2, outputs: { attempt: 2 } });
    const attempts = (await attemptsOf([runId])).filter((a) => a.step_id === 'slow').sort((a, b) => a.attempt - b.attempt);
    expect(attempts.map((a) => [a.attempt, a.status, errorCode(a.error)])).toEqual([[1, 'failed', 'runner_lost'], [2, 'succeeded', null]]);
    await eventually(() => ledgerLines(ledger), (lines) => lines.some((line) => line.what === 'end' && line.attempt === 1), 15_000);
    expect((await ledgerLines(ledger)).filter((line) => line.what === 'applied').map((line) => line.attempt)).toEqual([2]);
    await expectEachOutcomeOnce([runId], 2, 3);
    passed('lateReport', `owner paused; taken over and ended in ${takenOverIn} ms (lease ${LEASE_MS} ms); late outcome dropped, side effect applied once`);
  }, 120_000);

  it('a crash right after accepting a trigger: every run answered 202 finishes, each step recorded once', async () => {
    await deploy(projectId, ledgerThenAdd('accepted'), actions);
    const ledger = await aLedger();
    const owner = await processes.start();
    const count = sized(10, 50);
    const accepted = await post(owner.url, 'accepted', Array.from({ length: count }, (_, n) => ({ n, ledger, first_ms: 300 })));
    expect(new Set(accepted.map((a) => a.status))).toEqual(new Set([202]));
    await processes.killHard(owner);
    const ids = accepted.map((a) => a.runId);
    const atKill = await ended(ids);
    const killedAt = Date.now();
    await eventually(() => ended(ids), (done) => done === count, 60_000);
    const recovered = Date.now() - killedAt;
    await expectEachOutcomeOnce(ids, 2, 3);
    const result = await call('GET', `/runs/${ids[0]}/result`, { token: await service.jwks.sign({ projectId, role: 'viewer' }) });
    expect(result.status, result.text).toBe(200);
    expect(result.body).toEqual({ n: 2 });
    passed('crashAfterAccept', `${count} runs answered 202, then kill -9 (${atKill} ended by then): all ${count} finished within ${recovered} ms, each step once`);
  }, 120_000);

  it('recovery of runs just started: the dead process\'s runs are taken over once; a restarted process never adopts the runs it has just started', async () => {
    await deploy(projectId, ledgerThenAdd('just-started'), actions);
    const ledger = await aLedger();
    const first = await processes.start();
    const dying = await post(first.url, 'just-started', Array.from({ length: sized(10, 50) }, (_, n) => ({ n, ledger, first_ms: 2000 })));
    expect(new Set(dying.map((a) => a.status))).toEqual(new Set([202]));
    await processes.killHard(first);
    // Restarted as a node would be: it takes HTTP runs from its first second, while takeovers run.
    const second = await processes.start();
    const fresh = await post(second.url, 'just-started', Array.from({ length: sized(20, 100) }, (_, n) => ({ n, ledger, first_ms: 50 })));
    expect(new Set(fresh.map((a) => a.status))).toEqual(new Set([202]));
    const all = [...dying, ...fresh].map((a) => a.runId);
    await eventually(() => ended(all), (done) => done === all.length, 90_000);
    await expectEachOutcomeOnce(all, 2, 3);
    const dead = await runsOf(dying.map((a) => a.runId));
    expect(dead.filter((run) => run.owner_epoch !== 2)).toEqual([]);
    const own = await runsOf(fresh.map((a) => a.runId));
    expect(own.filter((run) => run.owner !== second.processId || run.owner_epoch !== 1)).toEqual([]);
    expect((await attemptsOf(fresh.map((a) => a.runId))).filter((a) => a.attempt !== 1)).toEqual([]);
    const lost = (await attemptsOf(dying.map((a) => a.runId))).filter((a) => errorCode(a.error) === 'runner_lost');
    const byOwner = countBy(dead.map((run) => ownerName(run.owner, [second])));
    passed('justStarted', `${dying.length} runs of a killed process taken over once (${byOwner}); ${fresh.length} runs started by the restarted process kept (epoch 1, attempt 1); ${lost.length} attempts cut`);
  }, 180_000);

  it('two replicas recovering the same runs: each run is claimed once', async () => {
    const workflowId = await deploy(projectId, addChain('race', 1), actions);
    const gated = aGatedSite(runner().site);
    const dead = await anotherEngine({ site: gated.site, heartbeatMs: 3_600_000 });
    // Live processes (their rows beat), each claiming on a connection of its own, as replicas do.
    const claimers = await Promise.all(Array.from({ length: CLAIMERS }, async () => {
      const process = await anotherEngine();
      const own = makeDatabase<Database>({ connectionString: service.database.url, poolSize: 1, applicationName: 'claimer', logger: makeLogger({ service: 'claimer', silent: true }) });
      const store = makeRunStore(own.db, { processId: process.id, leaseMs: LEASE_MS });
      return { id: process.id, store, stop: async () => { await process.stop(); await own.close(); } };
    }));
    try {
      const count = sized(1000, 2000);
      const started = await Promise.all(Array.from({ length: count }, async (_, n) => {
        const result = await dead.engine.start({ projectId, workflowId, triggerType: 'http', triggerOutputs: { n }, traceId: 'trace' });
        if (!result.ok) throw new Error(`refused: ${result.error.type}`);
        result.value.finished.catch(() => undefined); // the dead owner never ends it
        return result.value.runId;
      }));
      // The owner's lease expires; the claimers (and the runner's own takeover loop) race for its runs.
      await db().updateTable('runner_processes').set({ heartbeat_at: new Date(Date.now() - 10 * LEASE_MS) }).where('id', '=', dead.id).execute();
      const claims = new Map<string, number>();
      await Promise.all(claimers.map(async (claimer) => {
        for (let empty = 0; empty < 3; ) {
          const claimed = await claimer.store.claimOrphans(50);
          empty = claimed.length === 0 ? empty + 1 : 0;
          for (const run of claimed) claims.set(run.id, (claims.get(run.id) ?? 0) + 1);
        }
      }));
      const runs = await runsOf(started);
      const twice = runs.filter((run) => run.owner_epoch !== 2);
      expect(twice.map((run) => ({ id: run.id, epoch: run.owner_epoch })), 'runs claimed more than once').toEqual([]);
      expect([...claims.values()].filter((n) => n !== 1)).toEqual([]);
      const byOwner = countBy(runs.map((run) => ownerName(run.owner, [], claimers.map((c) => c.id))));
      // The claimers stop (their runs go to the runner at once) and every run ends, each step once.
      await Promise.all(claimers.map((claimer) => claimer.stop()));
      await eventually(() => ended(started), (done) => done === count, 120_000);
      await expectEachOutcomeOnce(started, 1, 1);
      passed('twoReplicas', `${count} orphaned runs, ${CLAIMERS} claimers + the runner's loop: each claimed once (${byOwner}); all ended, each step once`);
    } finally {
      gated.open();
      await Promise.all([dead.stop(), ...claimers.map((claimer) => claimer.stop().catch(() => undefined))]);
    }
  }, 300_000);

  it('a step retried while its first attempt still runs: attempts never overlap, same idempotency key, one effect, one outcome', async () => {
    const workflowId = await deploy(projectId, retriedLedger('retried'), actions);
    const ledger = await aLedger();
    const started = await runner().engine.start({ projectId, workflowId, triggerType: 'http', triggerOutputs: { ledger, first_ms: 5000 }, traceId: 'trace' });
    if (!started.ok) throw new Error(`refused: ${started.error.type}`);
    const end = await started.value.finished;
    expect(end).toMatchObject({ status: 'succeeded', results: { attempt: 2 } });
    const lines = await ledgerLines(ledger);
    const first = lines.find((line) => line.attempt === 1 && line.what === 'start');
    const second = lines.find((line) => line.attempt === 2 && line.what === 'start');
    expect(first && second).toBeTruthy();
    // Attempt 1's process is gone (killed at its timeout), so it can never apply the effect late.
    await eventually(async () => isAlive(first?.pid ?? 0), (alive) => !alive, 10_000);
    expect(new Set(lines.map((line) => line.key))).toEqual(new Set([`${started.value.runId}:pay`]));
    expect(lines.filter((line) => line.attempt === 1).map((line) => line.what)).toEqual(['start']);
    expect(lines.filter((line) => line.what === 'applied').map((line) => line.attempt)).toEqual([2]);
    expect(second?.pid).not.toBe(first?.pid);
    const attempts = (await attemptsOf([started.value.runId])).sort((a, b) => a.attempt - b.attempt);
    expect(attempts.map((a) => [a.attempt, a.status, errorCode(a.error)])).toEqual([[1, 'failed', 'timeout'], [2, 'succeeded', null]]);
    expect(await stepsOf([started.value.runId])).toMatchObject([{ step_id: 'pay', status: 'succeeded', attempt: 2, outputs: { attempt: 2 } }]);
    passed('retryWhileRunning', `attempt 1 hung past its 1500 ms timeout; attempt 2 began ${(second?.at ?? 0) - (first?.at ?? 0)} ms after it, in another process; 1 effect, 1 outcome`);
  }, 60_000);

  it('a dead LISTEN connection: a closed one is noticed and opened again; with silent ones, schedules fire and runs start by polling', async () => {
    await deploy(projectId, addChain('still-starts', 2), actions);
    // PostgreSQL over TCP (the tests' URLs may name its Unix socket).
    const proxy = await startPgListenProxy({ host: '127.0.0.1', port: 5432 });
    try {
      const proxied = new URL(service.database.url);
      proxied.searchParams.delete('host');
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxy.port);
      const listener = await processes.start({ TRELLIS_DATABASE_URL: proxied.toString(), TRELLIS_RUNNER_SCHEDULES: 'on' });
      // Every listener connected: the count holds still for a second.
      const listening = await eventually(async () => {
        const before = proxy.listening();
        await new Promise((resolve) => setTimeout(resolve, 1000));
        return proxy.listening() === before ? before : 0;
      }, (n) => n >= 4, 20_000);

      proxy.cutListeners();
      await eventually(async () => listener.output(), (output) => output.includes('notification listener lost its connection'), 10_000);
      await eventually(async () => proxy.listening(), (n) => n >= listening, 15_000);
      const reopened = proxy.listensSeen() - listening;

      const silenced = proxy.silenceListeners();
      expect(proxy.listening()).toBe(0);
      const silencedAt = Date.now();
      // Nothing tells the process: it must ask. Until it does, its polls keep things going.
      const checksFailed = () => listener.output().split('\n').filter((line) => line.includes('notification listener lost its connection') && line.includes('did not answer a check')).length;
      const noticing = eventually(async () => ({ checksFailed: checksFailed(), listening: proxy.listening() }), (n) => n.checksFailed >= silenced && n.listening >= silenced, 60_000)
        .then(() => Date.now() - silencedAt);
      noticing.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
      // Saved now, its NOTIFY never reaches the process: its scheduler finds it by polling.
      const ticking = await deploy(projectId, scheduled('silent-ticks', '* * * * * *'), actions);
      await eventually(() => db().selectFrom('runs').select('id').where('workflow_id', '=', ticking).execute(), (rows) => rows.length >= 2, 20_000);
      const firedIn = Date.now() - silencedAt;
      const started = await post(listener.url, 'still-starts', Array.from({ length: 5 }, (_, n) => ({ n })));
      expect(new Set(started.map((a) => a.status))).toEqual(new Set([202]));
      await eventually(() => ended(started.map((a) => a.runId)), (done) => done === 5, 30_000);
      await expectEachOutcomeOnce(started.map((a) => a.runId), 2, 2);
      const noticedIn = await noticing;
      passed('deadListen', `${listening} LISTEN connections; closed: noticed and ${reopened} opened again; ${silenced} silenced: a schedule saved after it fired within ${firedIn} ms, 5 HTTP runs started and ended, the silent connections noticed and replaced within ${noticedIn} ms`);
    } finally {
      await processes.killAll();
      await proxy.close();
    }
  }, 120_000);

  it('a DST fall-back hour: a Europe/Paris schedule fires each tick once, a daily 02:30 once', async () => {
    const quarter = await deploy(projectId, scheduled('paris-quarter', '*/15 * * * *', 'Europe/Paris'), actions);
    const daily = await deploy(projectId, scheduled('paris-daily', '30 2 * * *', 'Europe/Paris'), actions);
    // 27 October 2024: at 03:00 CEST (01:00Z) the clocks went back to 02:00 CET.
    await db().updateTable('schedules').set({ next_tick_at: new Date('2024-10-26T22:00:00Z') }).where('workflow_id', '=', quarter).execute();
    await db().updateTable('schedules').set({ next_tick_at: new Date('2024-10-27T00:30:00Z') }).where('workflow_id', '=', daily).execute();
    let now = new Date('2024-10-26T21:58:00Z').getTime();
    const replica = (skewMs: number) => ({
      store: makeScheduleStore(db()), engine: runner().engine, values: runner().projectValues, clock: () => new Date(now + skewMs),
      runIdOf: scheduledRunId, log: { info: () => undefined, warn: () => undefined }, misfireMs: 10 * 60_000,
    });
    const replicas = [replica(0), replica(-40_000)];
    // Seven minutes a step (ticks fire up to minutes late, as on a busy machine); both replicas at once.
    for (; now <= new Date('2024-10-27T04:10:00Z').getTime(); now += 7 * 60_000) await Promise.all(replicas.map((deps) => fireDueSchedules(deps)));

    const ticksOf = async (workflowId: string) => (await db().selectFrom('runs').select(['id', 'idempotency_key']).where('workflow_id', '=', workflowId).execute())
      .map((row) => ({ id: row.id, tick: new Date(String(row.idempotency_key).replace(/^schedule:/, '')) })).sort((a, b) => a.tick.getTime() - b.tick.getTime());
    const quarters = await ticksOf(quarter);
    expect(quarters.map((run) => run.id)).toEqual(quarters.map((run) => scheduledRunId(quarter, run.tick)));
    expect(quarters.map((run) => run.tick.toISOString())).toEqual(Array.from({ length: 25 }, (_, i) => new Date(Date.parse('2024-10-26T22:00:00Z') + i * 15 * 60_000).toISOString()));
    const paris = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', timeZoneName: 'shortOffset' });
    const wall = quarters.map((run) => paris.format(run.tick));
    expect(new Set(wall).size).toBe(wall.length);
    expect(wall.filter((time) => time.startsWith('02:'))).toEqual(['02:00 GMT+2', '02:15 GMT+2', '02:30 GMT+2', '02:45 GMT+2', '02:00 GMT+1', '02:15 GMT+1', '02:30 GMT+1', '02:45 GMT+1']);
    const dailies = await ticksOf(daily);
    expect(dailies.map((run) => run.tick.toISOString())).toEqual(['2024-10-27T00:30:00.000Z']);
    expect((await db().selectFrom('schedules').select('next_tick_at').where('workflow_id', '=', daily).executeTakeFirstOrThrow()).next_tick_at.toISOString()).toBe('2024-10-28T01:30:00.000Z');
    await eventually(() => ended([...quarters, ...dailies].map((run) => run.id)), (done) => done === 26, 60_000);
    passed('dstFallBack', `fake clock 22:00Z-04:10Z, 2 replicas 40 s apart: */15 fired 25 ticks once each (02:00-02:45 twice: CEST then CET), 30 2 * * * once`);
  }, 120_000);
});

function countBy(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, n]) => `${value} ${n}`).join(', ');
}

function ownerName(owner: string | null, processes: readonly RunnerProcess[], claimers: readonly string[] = []): string {
  if (owner === runner().processId) return 'in-process runner';
  const claimer = claimers.indexOf(owner ?? '');
  if (claimer >= 0) return `claimer ${claimer + 1}`;
  return processes.some((p) => p.processId === owner) ? 'restarted process' : 'other';
}
