// Issue 17's docker site acceptance, on the real services behind the gateway and the machine's
// Docker engine (make test-infra starts dockerd and makes the action base image): the builder
// makes images of a Node and a Python action, a `site: docker` workflow answers HTTP from
// containers, file inputs and outputs cross into them, a container killed mid-run fails its
// execution runtime_crashed and is replaced, a version scales to zero and back, undeploying
// leaves no container, and two runner processes share 500 runs on the site.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestRepository, type TestRepository } from '../../services/repository/test/git-fixtures.js';
import { startBehindGateway, type Answer, type BehindGateway, type RequestOptions } from './behind-gateway.js';
import { NUMBER_LINES } from './fixtures/actions.js';
import { eventually, startService, type RunningService } from './harness.js';
import { ADMIN_PASSWORD } from './platform.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const docker = new Docker();
/** The instance's own label: containers of other instances (and tests) on this engine are not ours. */
const instance = `e2e_docker_${randomBytes(3).toString('hex')}`;

/** A Node step that sleeps: long enough to kill its container under it. */
const NAP = {
  'actions/nap/trellis.yaml': [
    'apiVersion: trellis.dev/v1', 'kind: Processor', 'id: nap', 'version: 1.0.0', 'name: Nap', 'description: Sleeps, then says so.', 'runtime: nodejs', 'handler: handler.js',
    'inputs:', '  - { name: ms, type: integer, help: How long }', 'outputs:', '  - { name: slept, type: integer, help: How long it slept }', 'resources: { memory: 128Mi, timeout: 60s }', '',
  ].join('\n'),
  'actions/nap/handler.js': 'export async function handle({ ms }) {\n  await new Promise((resolve) => setTimeout(resolve, ms));\n  return { slept: ms };\n}\n',
  'actions/nap/package.json': '{ "name": "nap", "version": "1.0.0", "type": "module" }\n',
};

let env: BehindGateway;
let repo: TestRepository;
let db: pg.Client;
let admin = '';
let second: RunningService | undefined;

const api = (method: string, route: string, options: RequestOptions = {}): Promise<Answer> => env.api(method, route, { ...options, token: options.token ?? admin });
const rows = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> => (await db.query<T>(text, values)).rows;
const containersOf = async (action?: string) => (await docker.listContainers({
  all: true, filters: { label: [`dev.trellis.instance=${instance}`, ...(action ? [`dev.trellis.action=${action}`] : [])] },
})).filter((container) => container.State === 'running' || container.State === 'created');

async function deployed(yaml: string): Promise<string> {
  const imported = await api('POST', '/studio/workflows/import', { yaml });
  expect(imported.status, imported.text).toBe(201);
  expect(imported.body.problems).toEqual([]);
  const deploy = await api('POST', `/studio/workflows/${imported.body.id}/deploy`);
  expect(deploy.status, deploy.text).toBe(202);
  const done = await eventually(() => api('GET', `/studio/workflows/${imported.body.id}`), (a) => ['deployed', 'failed'].includes(a.body.deployment?.status), 120_000);
  expect(done.body.deployment, JSON.stringify(done.body.deployment)).toMatchObject({ status: 'deployed' });
  return imported.body.id as string;
}

const httpWorkflow = (name: string, trigger: string[], steps: string[], results: string[]) => [
  'apiVersion: trellis.dev/v1', 'kind: Workflow', `name: ${name}`, 'site: docker',
  'trigger:', '  type: http', `  path: ${name}`, '  auth: none', ...trigger, 'steps:', ...steps, 'results:', ...results, '',
].join('\n');

const chain = (name: string, length: number, timeout = '30s') => httpWorkflow(name, [`  timeout: ${timeout}`, '  inputs:', '    - { name: n, type: integer }'],
  Array.from({ length }, (_, i) => [`  - id: s${i + 1}`, '    action: add-one', '    inputs:', `      n: \${{ ${i === 0 ? 'trigger.n' : `steps.s${i}.n`} }}`].join('\n')),
  [`  n: \${{ steps.s${length}.n }}`]);

beforeAll(async () => {
  await run('bash', [path.join(root, 'infra/images/build-base.sh')], { timeout: 300_000 });
  env = await startBehindGateway({
    overrides: (name): Record<string, string> => (
      name === 'action-builder' ? { TRELLIS_IMAGES: 'docker' }
        : name === 'runner' ? { TRELLIS_SITES: 'local,docker', TRELLIS_INSTANCE: instance, TRELLIS_RUNNER_LEASE_MS: '3000', TRELLIS_DOCKER_MAX_CONTAINERS: '2' }
          : {}),
  });
  db = new pg.Client({ connectionString: env.platform.databaseUrls.runner });
  await db.connect();
  admin = (await api('POST', '/authorization/login', { token: '', json: { username: 'admin', password: ADMIN_PASSWORD } })).body.access_token;
  for (const service of ['repository', 'studio', 'runner']) await eventually(() => api('GET', `/${service}/project`), (a) => a.status === 200);
  repo = await makeTestRepository();
  await repo.copyExample('add-one', 'actions/add-one');
  await repo.commit({ ...NUMBER_LINES, ...NAP });
  const source = await api('POST', '/repository/sources', { json: { name: 'actions', url: repo.fileUrl } });
  const scan = await api('POST', `/repository/sources/${source.body.id}/scan`);
  await eventually(() => api('GET', `/repository/sources/${source.body.id}/scans/${scan.body.id}`), (a) => a.body.status === 'done', 90_000);
  expect((await api('POST', `/repository/sources/${source.body.id}/build`)).status).toBe(202);
  for (const id of ['add-one', 'number-lines', 'nap']) await eventually(() => api('GET', `/studio/actions/${id}`), (a) => a.status === 200, 300_000);
}, 600_000);

afterAll(async () => {
  await second?.stop();
  await db?.end();
  await env?.stop();
  await repo?.close();
  for (const container of await docker.listContainers({ all: true, filters: { label: [`dev.trellis.instance=${instance}`] } })) {
    await docker.getContainer(container.Id).remove({ force: true }).catch(() => undefined);
  }
  await docker.getNetwork(`trellis-actions-${instance}`).remove().catch(() => undefined);
});

describe('the docker site, end to end', () => {
  let addTwo = '';

  it('runs a Node action built into an image in a container, answering HTTP', async () => {
    addTwo = await deployed(chain('add-two', 2));
    const answer = await api('POST', '/user-api/default/add-two', { token: '', json: { n: 40 } });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toEqual({ n: 42 });
    const [container] = await containersOf('add-one');
    expect(container?.Image).toMatch(/^trellis-actions\/add-one:/);
    expect(container?.Ports.filter((port) => port.PublicPort !== undefined).map((port) => port.IP)).toEqual(['127.0.0.1']);
  }, 120_000);

  it('runs a Python action in a container with a file in and a file out', async () => {
    await deployed(httpWorkflow('number-lines', ['  inputs:', '    - { name: doc, type: file }'],
      ['  - id: number', '    action: number-lines', '    inputs:', '      doc: ${{ trigger.doc }}'], ['  numbered: ${{ steps.number.numbered }}']));
    const form = new FormData();
    form.append('doc', new Blob(['first\nsecond\n'], { type: 'text/plain' }), 'lines.txt');
    const answer = await fetch(`${env.gateway.base}/user-api/default/number-lines`, { method: 'POST', body: form });
    expect(answer.status, await answer.clone().text()).toBe(200);
    expect(await answer.text()).toBe('1: first\n2: second\n');
    expect(await containersOf('number-lines')).toHaveLength(1);
  }, 120_000);

  it('fails the execution whose container is killed with runtime_crashed; the container is replaced and the next run succeeds', async () => {
    const nap = await deployed(httpWorkflow('nap', ['  timeout: 60s', '  inputs:', '    - { name: ms, type: integer }'],
      ['  - id: nap', '    action: nap', '    inputs:', '      ms: ${{ trigger.ms }}'], ['  slept: ${{ steps.nap.slept }}']));
    const [warm] = await containersOf('nap');
    const attempts = (status: string) => rows<{ code: string | null }>(
      "select a.error->>'code' as code from step_attempts a join runs r on r.id = a.run_id where r.workflow_id = $1 and a.status = $2", [nap, status]);
    const pending = api('POST', '/user-api/default/nap', { token: '', json: { ms: 20_000 } });
    await eventually(() => attempts('running'), (found) => found.length > 0, 30_000);
    await docker.getContainer(warm!.Id).kill();
    const failed = await pending;
    expect(failed.status).toBeGreaterThanOrEqual(400);
    const [attempt] = await attempts('failed');
    expect(attempt?.code).toBe('runtime_crashed');
    const next = await api('POST', '/user-api/default/nap', { token: '', json: { ms: 10 } });
    expect(next.status, next.text).toBe(200);
    const now = await containersOf('nap');
    expect(now).toHaveLength(1);
    expect(now[0]?.Id).not.toBe(warm!.Id);
  }, 120_000);

  it('scales a deployment to zero and back', async () => {
    const scaled = await api('POST', `/runner/deployments/${addTwo}/scale-to-zero`);
    expect(scaled.status, scaled.text).toBe(200);
    expect(await containersOf('add-one')).toHaveLength(0);
    const answer = await api('POST', '/user-api/default/add-two', { token: '', json: { n: 1 } });
    expect(answer.body).toEqual({ n: 3 });
    expect(await containersOf('add-one')).toHaveLength(1);
  }, 120_000);

  it('two runner processes against one database on the docker site: 500 runs, none lost, none doubled, both did work', async () => {
    const workflowId = await deployed(chain('shared-docker', 2, '0'));
    second = await startService('runner', env.platform.envFor('runner'));
    const first = env.platform.running.runner;
    const bases = [first.url, second.url];
    const answers = await Promise.all(Array.from({ length: 500 }, async (_, i) => {
      const response = await fetch(`${bases[i % 2]}/user-api/default/shared-docker`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: i * 10 }) });
      return response.status;
    }));
    expect(new Set(answers)).toEqual(new Set([202]));
    await eventually(() => rows<{ count: number }>("select count(*)::int as count from runs where workflow_id = $1 and status not in ('queued', 'running')", [workflowId]), (r) => r[0]?.count === 500, 120_000);
    const wrong = await rows("select id from runs where workflow_id = $1 and (status <> 'succeeded' or (results->>'n')::int <> (trigger_outputs->>'n')::int + 2)", [workflowId]);
    expect(wrong).toEqual([]);
    const outcomes = await rows<{ succeeded: number; total: number }>(
      `select count(*) filter (where a.status = 'succeeded')::int as succeeded, count(*)::int as total
       from step_attempts a join runs r on r.id = a.run_id where r.workflow_id = $1 group by a.run_id, a.step_id`, [workflowId]);
    expect(outcomes).toHaveLength(1000);
    expect(outcomes.filter((step) => step.succeeded !== 1 || step.total !== 1)).toEqual([]);
    const owners = await rows<{ owner: string }>('select distinct owner from runs where workflow_id = $1', [workflowId]);
    expect(owners).toHaveLength(2);
    // Each runner ran its steps in containers of its own.
    const runners = new Set((await containersOf('add-one')).map((container) => container.Labels['dev.trellis.runner']));
    expect(runners.size).toBe(2);
    await second.stop();
    second = undefined;
  }, 300_000);

  it('undeploying every workflow leaves no container', async () => {
    const workflows = await api('GET', '/studio/workflows');
    for (const workflow of workflows.body.items as { id: string; deployment?: { status: string } }[]) {
      if (workflow.deployment?.status === 'deployed') expect((await api('POST', `/studio/workflows/${workflow.id}/undeploy`)).status).toBe(202);
    }
    await eventually(() => containersOf(), (left) => left.length === 0, 60_000);
  }, 120_000);
});
