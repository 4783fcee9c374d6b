// Issue 18, faults under load: runs of a 10-step workflow (async HTTP calls through the gateway)
// while a schedule fires every second and a Trigger action emits every second, and the suite
// injects one fault at a time: kill -9 of each service, the object store, the gateway and the
// action processes; RabbitMQ and PostgreSQL restarted; connections cut by a TCP proxy. At the
// full scale the faults then come at random. At the end every accepted run finished, each step
// succeeded once, no message waits in a queue or a dead-letter queue, no outbox row is left
// unsent and every tick of the schedule fired once. Time to recover: from the fault to the
// first run that finishes after it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestRepository } from '../../services/repository/test/git-fixtures.js';
import { writeResults } from './support/results.js';
import { SCALE, sized } from './support/scale.js';
import { restoreSharedServers } from './support/shared-servers.js';
import { until, untilOrLast, untilSteady } from './support/until.js';
import { faultCatalog, type Fault } from './faults/catalog.js';
import {
  firstFinishAfter, messageTroubles, queueReport, runOutcomes, scheduleTicks, select, stuckOutboxRows, unannouncedRuns, unfinishedRuns, wholeDatabase,
  type Leftovers, type RunOutcome, type TickReport,
} from './faults/checks.js';
import { startFaultEnvironment, type FaultEnvironment } from './faults/environment.js';
import { buildActions, deploy, makeApi, noCalls, sendAgain, startRuns, trickle, type Api, type Calls } from './faults/load.js';
import { faultPlan } from './faults/plan.js';
import { chainWorkflow, everySecondWorkflow, tickerWorkflow } from './faults/workflows.js';

const RUNS = sized(100, 1000);
const LENGTH = 10;
const CHAIN = 'faults-chain';
/** How long the runs of one fault may take to finish before the next fault comes anyway. */
const SETTLE_MS = 120_000;

let env: FaultEnvironment;
let repo: TestRepository | undefined;
let api: Api;
const workflows = { chain: '', schedule: '', ticker: '' };
let nextInput = 0;
const inputs = (count: number) => Array.from({ length: count }, () => (nextInput += 100));
const runnerDb = () => env.platform.databaseUrls.runner;

/** What one fault did to the runs around it. */
type FaultRecord = { fault: string; at: string; started: Calls; inFlight: string[]; during: Calls; injectMs: number; recoverMs: number | null; problem?: string };

/** Runs of `ids` that have at least one step succeeded: the batch is under way, not just queued. */
async function underWay(ids: readonly string[]): Promise<number> {
  const [row] = await select<{ count: number }>(runnerDb(),
    "select count(distinct run_id)::int as count from step_runs where run_id = any($1::uuid[]) and status = 'succeeded'", [ids]);
  return row?.count ?? 0;
}

/** Waits (at most `timeoutMs`) until none of `ids` is queued or running; the checks at the end say what was left. */
async function settled(ids: readonly string[], timeoutMs: number): Promise<void> {
  const open = async () => (await runOutcomes(runnerDb(), ids, LENGTH)).filter((run) => run.status === 'queued' || run.status === 'running').length;
  await untilOrLast(open, (count) => count === 0, { timeoutMs });
}

async function underFault(fault: Fault, runs: number): Promise<FaultRecord> {
  const started = await startRuns(env.gatewayBase, CHAIN, inputs(runs));
  if (started.accepted.length > 0) await until(() => underWay(started.accepted), (count) => count > 0, { timeoutMs: 60_000 });
  const inFlight = await unfinishedRuns(runnerDb());
  const at = new Date();
  const users = trickle(env.gatewayBase, CHAIN, () => (nextInput += 100));
  // A fault that cannot be undone, or a platform that does not come back, is recorded and the
  // suite goes on, so the table still shows every fault; the end fails on it.
  const injected = await fault.inject(env).then(() => undefined, (error: unknown) => `inject: ${String(error)}`);
  const injectMs = Date.now() - at.getTime();
  const during = await users.stop();
  const ready = await env.ready().then(() => undefined, (error: unknown) => `not ready again: ${String(error)}`);
  const firstFinish = await untilOrLast(() => firstFinishAfter(runnerDb(), at), (when) => when !== undefined, { timeoutMs: SETTLE_MS });
  const problem = [injected, ready].filter(Boolean).join('; ');
  const record: FaultRecord = { fault: fault.name, at: at.toISOString(), started, inFlight, during, injectMs, recoverMs: firstFinish ? firstFinish.getTime() - at.getTime() : null, ...(problem ? { problem } : {}) };
  console.log(`${fault.name}: ${inFlight.length} in flight, ${during.accepted.length} accepted during it (refused: ${JSON.stringify(during.refusals)}), recovered in ${record.recoverMs} ms${problem ? `; ${problem}` : ''}`);
  await settled([...inFlight, ...during.accepted, ...started.accepted], SETTLE_MS);
  return record;
}

/**
 * The catalog, or (to debug one fault) those whose name holds TRELLIS_RELIABILITY_FAULTS (a
 * comma-separated list: `runner,gateway`).
 */
function chosenFaults(): Fault[] {
  const catalog = faultCatalog({ fullBrokerStop: SCALE === 'full' });
  const only = (process.env['TRELLIS_RELIABILITY_FAULTS'] ?? '').split(',').map((part) => part.trim()).filter(Boolean);
  return only.length === 0 ? catalog : catalog.filter((fault) => only.some((part) => fault.name.includes(part)));
}

type Row = { fault: string; inFlight: number; finished: number; lost: number; doubled: number; failed: number; recoverMs: number | null; refusedDuring: number; injectMs: number };

/** A fault's runs: those in flight when it came and those accepted while it lasted. */
function rowOf(record: FaultRecord, outcomes: ReadonlyMap<string, RunOutcome>): Row {
  const ids = [...new Set([...record.inFlight, ...record.during.accepted])];
  const known = ids.map((id) => outcomes.get(id));
  const finished = known.filter((run) => run && run.status !== 'queued' && run.status !== 'running');
  return {
    fault: record.fault, inFlight: ids.length, finished: finished.length, lost: ids.length - finished.length,
    doubled: known.filter((run) => run?.doubled).length, failed: finished.filter((run) => run?.status !== 'succeeded' || !run.ok).length,
    recoverMs: record.recoverMs, refusedDuring: record.during.refused, injectMs: record.injectMs,
  };
}

beforeAll(async () => {
  await restoreSharedServers();
  env = await startFaultEnvironment();
  await env.ready();
  api = makeApi(env.gatewayBase, await env.adminToken());
  for (const service of ['repository', 'studio', 'runner']) await until(() => api('GET', `/${service}/project`), (a) => a.status === 200, { timeoutMs: 30_000 });
  repo = await buildActions(api);
  workflows.chain = await deploy(api, chainWorkflow(CHAIN, LENGTH));
  workflows.schedule = await deploy(api, everySecondWorkflow('faults-every-second'));
  workflows.ticker = await deploy(api, tickerWorkflow('faults-ticker'));
});

afterAll(async () => {
  try {
    await restoreSharedServers();
  } finally {
    await env?.stop();
    await repo?.close();
  }
});

describe(`faults under load (${SCALE})`, () => {
  it(`${RUNS} runs of a ${LENGTH}-step workflow through every fault: none lost, none doubled, no message or outbox row left, every tick once`, async () => {
    const plan = faultPlan(chosenFaults(), RUNS, { random: SCALE === 'full', randomBatch: 25 });
    const records: FaultRecord[] = [];
    for (const step of plan) records.push(await underFault(step.fault, step.runs));

    // The schedule and the trigger stop (runs in flight finish), so the whole database can settle.
    api = makeApi(env.gatewayBase, await env.adminToken());
    for (const id of [workflows.schedule, workflows.ticker]) expect((await api('POST', `/studio/workflows/${id}/undeploy`, { json: {} })).status).toBe(202);
    // The calls given up while a fault lasted are sent again with their keys, as a careful client
    // would: each learns the run its first tries made (or makes it now), so no run stays unnamed.
    const again = await sendAgain(env.gatewayBase, CHAIN, records.flatMap((record) => [...record.started.gaveUp, ...record.during.gaveUp]));
    const accepted = [...new Set([...records.flatMap((record) => [...record.started.accepted, ...record.during.accepted]), ...again.accepted])];
    await settled(accepted, SETTLE_MS);
    await untilOrLast(() => wholeDatabase(runnerDb()), (whole) => whole.unfinished.length === 0, { timeoutMs: SETTLE_MS });

    const outcomes = new Map((await runOutcomes(runnerDb(), accepted, LENGTH)).map((run) => [run.id, run]));
    const rows = records.map((record) => rowOf(record, outcomes));
    const all = rowOf({ fault: 'all', at: '', started: noCalls(), inFlight: accepted, during: noCalls(), injectMs: 0, recoverMs: null }, outcomes);
    const whole = await wholeDatabase(runnerDb());
    const ticks: TickReport = await scheduleTicks(runnerDb(), workflows.schedule);
    // Runs made by a call that was refused or not answered, each with the last fault that came before it.
    const unannounced = (await unannouncedRuns(runnerDb(), accepted)).map((run) => ({
      id: run.id, created_at: run.created_at.toISOString(), after: records.filter((record) => record.at <= run.created_at.toISOString()).at(-1)?.fault,
    }));
    // The undeploys end with the runner's answer recorded by studio: the last messages of the test.
    const undeployed = await untilOrLast(() => Promise.all([workflows.schedule, workflows.ticker].map(async (id) => (await api('GET', `/studio/workflows/${id}`)).body?.deployment?.status)),
      (statuses) => statuses.every((status) => status === 'undeployed'), { timeoutMs: SETTLE_MS });
    const clean = (left: Leftovers) => left.queues.waiting.length + left.queues.deadLetters.length + left.queues.withoutConsumer.length === 0 && Object.values(left.outbox).every((n) => n === 0);
    const leftover = async (): Promise<Leftovers> => ({ queues: await queueReport(env.platform.vhost.vhost), outbox: await stuckOutboxRows(env.platform) });
    // The broker's figures are refreshed every 5 s: clean for two refreshes in a row, not one read.
    const leftovers = (await untilSteady(leftover, clean, { timeoutMs: 90_000, steadyMs: 11_000 })) ?? await leftover();
    const troubles = messageTroubles(env.platform);
    const troubleLines = troubles.slice(-100).map((line) => `${line.service}: ${line.text}`).join('\n');
    console.log(`${troubles.length} message troubles logged (retries, dead letters, broker channels lost)${clean(leftovers) ? '' : `; left in the broker or outboxes: ${JSON.stringify(leftovers)}`}\n${troubleLines}`);

    await writeResults('faults', 'Faults under load', {
      headers: ['fault', 'runs in flight', 'runs finished', 'lost', 'doubled', 'failed', 'time to recover (ms)'],
      rows: [...rows, { ...all, fault: `all ${accepted.length} accepted runs` }].map((row) => [row.fault, row.inFlight, row.finished, row.lost, row.doubled, row.failed, row.recoverMs ?? '-']),
    }, { runs: RUNS, length: LENGTH, rows, all, whole, ticks, undeployed, leftovers, messageTroubles: troubles.slice(0, 50), unannounced, sentAgain: { calls: again.accepted.length + again.refused, refusals: again.refusals }, retries: records.reduce((sum, record) => sum + record.started.retries + record.during.retries, 0), refusals: records.map(({ fault, started, during }) => ({ fault, before: started.refusals, during: during.refusals })), problems: records.filter((record) => record.problem).map(({ fault, problem }) => ({ fault, problem })), failures: [...outcomes.values()].filter((run) => run.status !== 'succeeded' || !run.ok).slice(0, 20) });

    expect(records.filter((record) => record.problem).map((record) => `${record.fault}: ${record.problem}`), 'faults not undone').toEqual([]);
    expect(rows.filter((row) => row.recoverMs === null).map((row) => row.fault), 'faults after which no run finished').toEqual([]);
    expect(again.gaveUp, 'calls refused again once the platform was whole').toEqual([]);
    expect(unannounced, 'runs whose caller never learnt their id, even sending its Idempotency-Key again').toEqual([]);
    expect(all.lost, 'accepted runs not finished').toBe(0);
    expect(all.doubled, 'runs with a step that succeeded twice').toBe(0);
    expect(whole.doubledSteps, 'steps of any run that succeeded twice').toBe(0);
    expect(whole.unfinished, 'runs of any trigger not finished').toEqual([]);
    expect(all.failed, 'accepted runs that did not succeed with n + 10').toBe(0);
    expect(ticks.fired, 'schedule runs').toBeGreaterThan(0);
    expect({ missing: ticks.missing, twice: ticks.twice }, 'schedule ticks').toEqual({ missing: [], twice: [] });
    expect(undeployed, 'schedule and trigger workflows undeployed (studio has the runner\'s answer)').toEqual(['undeployed', 'undeployed']);
    expect(leftovers.queues, 'messages left in queues, dead letters, queues without their consumer').toEqual({ waiting: [], deadLetters: [], withoutConsumer: [] });
    expect(leftovers.outbox, 'outbox rows not published').toEqual(Object.fromEntries(Object.keys(leftovers.outbox).map((name) => [name, 0])));
  });
});
