// Issue 11's failover acceptance, on the real runner main.js behind the gateway: kill -9 the
// runner while 200 runs of a 10-step chain are in flight, start it again, and every run finishes
// with each step's result recorded once; two runner processes on one database share 500 runs,
// none lost, none run twice. Both are checked in the runner's database.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { makeTestRepository, type TestRepository } from '../../services/repository/test/git-fixtures.js';
import { startBehindGateway, type Answer, type BehindGateway, type RequestOptions } from './behind-gateway.js';
import { eventually, startService, type RunningService } from './harness.js';
import { ADMIN_PASSWORD } from './platform.js';

/** Short enough that the restarted runner takes the dead one's runs over within seconds. */
const LEASE_MS = 3000;

let env: BehindGateway;
let repo: TestRepository;
let db: pg.Client;
let admin = '';
/** Wrapper processes left behind by the killed runner (they run in their own process groups). */
const orphans: number[] = [];
let second: RunningService | undefined;

const api = (method: string, path: string, options: RequestOptions = {}): Promise<Answer> => env.api(method, path, { ...options, token: options.token ?? admin });
const rows = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> => (await db.query<T>(text, values)).rows;

/** An async (`timeout: 0`) chain of `length` add-one steps: n -> n + length. */
function chain(name: string, length: number): string {
  const steps = Array.from({ length }, (_, i) => [
    `  - id: s${i + 1}`, '    action: add-one', '    inputs:', `      n: \${{ ${i === 0 ? 'trigger.n' : `steps.s${i}.n`} }}`,
  ].join('\n'));
  return [
    'apiVersion: trellis.dev/v1', 'kind: Workflow', `name: ${name}`,
    'trigger:', '  type: http', `  path: ${name}`, '  timeout: 0', '  auth: none', '  inputs:', '    - name: n', '      type: integer',
    'steps:', ...steps, 'results:', `  n: \${{ steps.s${length}.n }}`, '',
  ].join('\n');
}

async function deployed(yaml: string): Promise<string> {
  const imported = await api('POST', '/studio/workflows/import', { yaml });
  expect(imported.status, imported.text).toBe(201);
  expect((await api('POST', `/studio/workflows/${imported.body.id}/deploy`)).status).toBe(202);
  await eventually(() => api('GET', `/studio/workflows/${imported.body.id}`), (a) => a.body.deployment?.status === 'deployed', 60_000);
  return imported.body.id as string;
}

/** POSTs `{n}` for every n to `base` + path (async trigger): every answer a 202 with its run. */
async function startRuns(bases: readonly string[], path: string, inputs: readonly number[]): Promise<void> {
  const answers = await Promise.all(inputs.map(async (n, i) => {
    const response = await fetch(`${bases[i % bases.length]}/user-api/default/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n }) });
    return `${response.status} ${(await response.text()).includes('run_id')}`;
  }));
  expect(new Set(answers)).toEqual(new Set(['202 true']));
}

const finished = async (workflowId: string) => Number((await rows<{ count: string }>(
  "select count(*) from runs where workflow_id = $1 and status not in ('queued', 'running')", [workflowId]))[0]?.count);

const progress = async (workflowId: string) => (await rows<{ runs: number; steps: number }>(
  `select (select count(*)::int from runs where workflow_id = $1 and status not in ('queued', 'running')) as runs,
     (select count(*)::int from step_runs s join runs r on r.id = s.run_id where r.workflow_id = $1 and s.status = 'succeeded') as steps`, [workflowId]))[0] ?? { runs: 0, steps: 0 };

/** What must hold of every run of the workflow: its result n + length, each step succeeded once with n + k. */
async function checkRecordedOnce(workflowId: string, runs: number, length: number): Promise<void> {
  const byRun = await rows<{ status: string; ok: boolean }>(
    "select status, (results->>'n')::int = (trigger_outputs->>'n')::int + $2 as ok from runs where workflow_id = $1", [workflowId, length]);
  expect(byRun).toHaveLength(runs);
  expect(byRun.filter((run) => run.status !== 'succeeded' || !run.ok)).toEqual([]);
  const steps = await rows<{ count: string }>(
    `select count(*) from step_runs s join runs r on r.id = s.run_id
     where r.workflow_id = $1 and s.status = 'succeeded' and (s.outputs->>'n')::int = (r.trigger_outputs->>'n')::int + substr(s.step_id, 2)::int`, [workflowId]);
  expect(Number(steps[0]?.count)).toBe(runs * length);
  // One outcome per step: exactly one succeeded attempt, the one step_runs records; no attempt left running.
  const outcomes = await rows<{ run_id: string; step_id: string; succeeded: number; running: number; recorded: boolean }>(
    `select a.run_id, a.step_id, count(*) filter (where a.status = 'succeeded')::int as succeeded, count(*) filter (where a.status = 'running')::int as running,
       bool_or(a.status = 'succeeded' and a.attempt = s.attempt) as recorded
     from step_attempts a join step_runs s using (run_id, step_id) join runs r on r.id = a.run_id
     where r.workflow_id = $1 group by a.run_id, a.step_id`, [workflowId]);
  expect(outcomes).toHaveLength(runs * length);
  expect(outcomes.filter((step) => step.succeeded !== 1 || step.running !== 0 || !step.recorded)).toEqual([]);
}

const processIdOf = (service: RunningService): string => {
  const id = /"message":"runner process registered".*?"process_id":"([0-9a-f-]+)"/.exec(service.output())?.[1];
  if (!id) throw new Error(`no runner process id in its output:\n${service.output().slice(-2000)}`);
  return id;
};

beforeAll(async () => {
  env = await startBehindGateway({ overrides: (name): Record<string, string> => (name === 'runner' ? { TRELLIS_RUNNER_LEASE_MS: String(LEASE_MS) } : {}) });
  db = new pg.Client({ connectionString: env.platform.databaseUrls.runner });
  await db.connect();
  admin = (await api('POST', '/authorization/login', { token: '', json: { username: 'admin', password: ADMIN_PASSWORD } })).body.access_token;
  for (const service of ['repository', 'studio', 'runner']) await eventually(() => api('GET', `/${service}/project`), (a) => a.status === 200);
  repo = await makeTestRepository();
  await repo.copyExample('add-one', 'actions/add-one');
  await repo.commit({});
  const source = await api('POST', '/repository/sources', { json: { name: 'actions', url: repo.fileUrl } });
  const scan = await api('POST', `/repository/sources/${source.body.id}/scan`);
  await eventually(() => api('GET', `/repository/sources/${source.body.id}/scans/${scan.body.id}`), (a) => a.body.status === 'done', 90_000);
  expect((await api('POST', `/repository/sources/${source.body.id}/build`)).status).toBe(202);
  await eventually(() => api('GET', '/studio/actions/add-one'), (a) => a.status === 200, 300_000);
}, 600_000);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(async () => {
  await second?.stop();
  await db?.end();
  await env?.stop();
  for (const pid of orphans) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  await repo?.close();
});

describe('runner failover', () => {
  it('kill -9 with 200 runs of a 10-step chain in flight, started again: all 200 finish, each step recorded once', async () => {
    const workflowId = await deployed(chain('failover-ten', 10));
    const runner = env.platform.running.runner;
    const port = new URL(runner.url).port;
    const before = processIdOf(runner);
    const inputs = Array.from({ length: 200 }, (_, i) => i * 100);
    await startRuns([env.gateway.base], 'failover-ten', inputs);
    // About half the runs done; their steps advance nearly in step, so 70% of the steps done also
    // stops the wait before the last runs end together.
    await eventually(() => progress(workflowId), (p) => p.runs >= 100 || p.steps >= 1400, 60_000);

    orphans.push(...execFileSync('ps', ['-o', 'pid=', '--ppid', String(runner.child.pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number));
    await runner.kill('SIGKILL');
    const atKill = await finished(workflowId);
    expect(atKill).toBeLessThan(200);
    // On its old port, so the gateway reaches it again.
    // Its action processes do not outlive it: their stdin pipe closed with it.
    await eventually(async () => orphans.filter(isAlive), (alive) => alive.length === 0, 10_000);
    const restarted = await env.platform.restart('runner', { TRELLIS_HTTP_PORT: port });
    const after = processIdOf(restarted);
    expect(after).not.toBe(before);

    await eventually(() => finished(workflowId), (done) => done === 200, 60_000);
    await checkRecordedOnce(workflowId, 200, 10);
    const owners = await rows<{ owner: string; epoch: number; count: number }>(
      'select owner, max(owner_epoch)::int as epoch, count(*)::int as count from runs where workflow_id = $1 group by owner', [workflowId]);
    // Every run the dead process had not finished was taken over (epoch 2) by the new one.
    expect(owners.find((o) => o.owner === after)).toMatchObject({ count: 200 - atKill, epoch: 2 });
    const retried = await rows<{ count: string }>(
      "select count(*) from step_attempts a join runs r on r.id = a.run_id where r.workflow_id = $1 and a.error->>'code' = 'runner_lost'", [workflowId]);
    expect(Number(retried[0]?.count)).toBeGreaterThan(0);
    // The results through the gateway, from the restarted runner.
    const [first] = await rows<{ id: string }>('select id from runs where workflow_id = $1 and owner = $2 limit 1', [workflowId, after]);
    const result = await api('GET', `/runner/runs/${first?.id}/result`);
    expect(result.status, result.text).toBe(200);
    console.log(`failover: killed with ${atKill}/200 finished; ${200 - atKill} taken over; ${retried[0]?.count} attempts cut by the kill`);
  }, 180_000);

  it('two runner processes on one database: 500 runs, none lost, none run twice, both own some', async () => {
    const workflowId = await deployed(chain('shared-two', 2));
    second = await startService('runner', env.platform.envFor('runner'));
    const first = env.platform.running.runner;
    const inputs = Array.from({ length: 500 }, (_, i) => i * 10);
    const started = Date.now();
    await startRuns([first.url, second.url], 'shared-two', inputs);
    await eventually(() => finished(workflowId), (done) => done === 500, 60_000);
    const took = Date.now() - started;
    await checkRecordedOnce(workflowId, 500, 2);
    // None run twice: no step has more than its first attempt.
    expect((await rows<{ count: number }>(
      'select count(*)::int as count from step_attempts a join runs r on r.id = a.run_id where r.workflow_id = $1 and a.attempt > 1', [workflowId]))[0]?.count).toBe(0);
    const owners = await rows<{ owner: string; count: string }>('select owner, count(*) from runs where workflow_id = $1 group by owner', [workflowId]);
    expect(new Set(owners.map((o) => o.owner))).toEqual(new Set([processIdOf(first), processIdOf(second)]));
    console.log(`two runners: 500 runs in ${took} ms, owned ${owners.map((o) => o.count).join(' / ')}`);
  }, 180_000);
});
