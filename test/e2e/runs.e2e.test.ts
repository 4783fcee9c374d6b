// A deployed workflow answering HTTP, as issue 11 states it, through the gateway: a git
// repository with a Node and a Python action -> scan -> build -> import a 10-step YAML ->
// deploy -> POST /user-api/default/add-ten {"n": 1} answers {"n": 11}; the run and its 10 steps
// (inputs, outputs, logs, timings) in the runs API; async mode and Idempotency-Key; an
// ActionError's status reaching the caller; auth as the trigger declares; other projects' 404s.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestRepository, type TestRepository } from '../../services/repository/test/git-fixtures.js';
import { startBehindGateway, type Answer, type BehindGateway, type RequestOptions } from './behind-gateway.js';
import { eventually } from './harness.js';
import { ADMIN_PASSWORD } from './platform.js';
import { NUMBER_LINES } from './fixtures/actions.js';

let env: BehindGateway;
let repo: TestRepository;
let admin = '';
let other = '';

const api = (method: string, path: string, options: RequestOptions = {}): Promise<Answer> => env.api(method, path, { ...options, token: options.token ?? admin });

/** A Python step that adds one, beside the Node example. */
const PYTHON_ADD_ONE = {
  'actions/add-one-py/trellis.yaml': [
    'apiVersion: trellis.dev/v1', 'kind: Processor', 'id: add-one-py', 'version: 1.0.0', 'name: Add one (Python)',
    'description: Adds one to a number, in Python.', 'runtime: python', 'handler: handler.py',
    'inputs:', '  - { name: n, type: integer, help: The number }', 'outputs:', '  - { name: n, type: integer, help: n + 1 }', '',
  ].join('\n'),
  'actions/add-one-py/handler.py': 'def handle(inputs, context):\n    print(f"adding one to {inputs[\'n\']}")\n    return {"n": inputs["n"] + 1}\n',
};


/** A Node step that refuses its input with a status the HTTP caller sees. */
const REFUSE = {
  'actions/refuse/trellis.yaml': [
    'apiVersion: trellis.dev/v1', 'kind: Processor', 'id: refuse', 'version: 1.0.0', 'name: Refuse',
    'description: Refuses every number with an ActionError.', 'runtime: nodejs', 'handler: handler.js',
    'inputs:', '  - { name: n, type: integer, help: The number }', 'outputs:', '  - { name: n, type: integer, help: never }', '',
  ].join('\n'),
  'actions/refuse/handler.js': [
    '// Any error named ActionError with a string code is one (docs/actions.md): no import needed.',
    'class ActionError extends Error {',
    '  constructor(message, code) { super(message); this.name = \'ActionError\'; this.code = code; }',
    '}',
    'export function handle({ n }) {',
    '  console.log(`refusing ${n}`);',
    "  throw new ActionError(`${n} is not acceptable`, '422');",
    '}', '',
  ].join('\n'),
  'actions/refuse/package.json': '{ "name": "refuse", "private": true, "type": "module" }\n',
};

function chain(name: string, length: number, trigger: { timeout?: string; auth?: 'none' | 'required' } = {}): string {
  const steps = Array.from({ length }, (_, i) => [
    `  - id: s${i + 1}`, `    action: ${i % 2 === 0 ? 'add-one' : 'add-one-py'}`, '    inputs:', `      n: \${{ ${i === 0 ? 'trigger.n' : `steps.s${i}.n`} }}`,
  ].join('\n'));
  return [
    'apiVersion: trellis.dev/v1', 'kind: Workflow', `name: ${name}`,
    'trigger:', '  type: http', `  path: ${name}`, `  timeout: ${trigger.timeout ?? '30s'}`, `  auth: ${trigger.auth ?? 'none'}`,
    '  inputs:', '    - name: n', '      type: integer',
    'steps:', ...steps, 'results:', `  n: \${{ steps.s${length}.n }}`, '',
  ].join('\n');
}

async function deployed(yaml: string): Promise<string> {
  const imported = await api('POST', '/studio/workflows/import', { yaml });
  expect(imported.status, imported.text).toBe(201);
  expect(imported.body.problems).toEqual([]);
  expect((await api('POST', `/studio/workflows/${imported.body.id}/deploy`)).status).toBe(202);
  await eventually(() => api('GET', `/studio/workflows/${imported.body.id}`), (a) => a.body.deployment?.status === 'deployed', 60_000);
  return imported.body.id as string;
}

beforeAll(async () => {
  env = await startBehindGateway();
  admin = (await api('POST', '/authorization/login', { token: '', json: { username: 'admin', password: ADMIN_PASSWORD } })).body.access_token;
  const projectB = (await api('POST', '/authorization/projects', { json: { name: 'runs-b' } })).body.id as string;
  other = (await api('POST', '/authorization/login', { token: '', json: { username: 'admin', password: ADMIN_PASSWORD, project_id: projectB } })).body.access_token;
  for (const service of ['repository', 'studio', 'runner']) await eventually(() => api('GET', `/${service}/project`), (a) => a.status === 200);
  repo = await makeTestRepository();
  await repo.copyExample('add-one', 'actions/add-one');
  await repo.commit({ ...PYTHON_ADD_ONE, ...REFUSE, ...NUMBER_LINES });
  const source = await api('POST', '/repository/sources', { json: { name: 'actions', url: repo.fileUrl } });
  const scan = await api('POST', `/repository/sources/${source.body.id}/scan`);
  await eventually(() => api('GET', `/repository/sources/${source.body.id}/scans/${scan.body.id}`), (a) => a.body.status === 'done', 90_000);
  expect((await api('POST', `/repository/sources/${source.body.id}/build`)).status).toBe(202);
  for (const id of ['add-one', 'add-one-py', 'refuse', 'number-lines']) await eventually(() => api('GET', `/studio/actions/${id}`), (a) => a.status === 200, 300_000);
}, 600_000);

afterAll(async () => {
  await env?.stop();
  await repo?.close();
});

describe('a deployed workflow answering HTTP', () => {
  let runId = '';

  it('answers POST /user-api/default/add-ten {"n": 1} with {"n": 11}', async () => {
    await deployed(chain('add-ten', 10));
    const answer = await api('POST', '/user-api/default/add-ten', { token: '', json: { n: 1 } });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toEqual({ n: 11 });
  });

  it('records the run with its 10 steps: inputs, outputs, timings and logs', async () => {
    const runs = await api('GET', '/runner/runs?workflow=add-ten');
    expect(runs.status).toBe(200);
    expect(runs.body.items).toHaveLength(1);
    runId = runs.body.items[0].id;
    const run = await api('GET', `/runner/runs/${runId}`);
    expect(run.body).toMatchObject({ id: runId, status: 'succeeded', results: { n: 11 } });
    expect(run.body.steps).toHaveLength(10);
    run.body.steps.forEach((step: { id: string; status: string; inputs: { n: number }; outputs: { n: number }; started_at: string; finished_at: string }, i: number) => {
      expect(step).toMatchObject({ id: `s${i + 1}`, status: 'succeeded', inputs: { n: i + 1 }, outputs: { n: i + 2 } });
      expect(Date.parse(step.finished_at)).toBeGreaterThanOrEqual(Date.parse(step.started_at));
    });
    const logs = await api('GET', `/runner/runs/${runId}/steps/s2/logs`);
    expect(logs.status).toBe(200);
    expect(logs.text).toContain('adding one to 2');
    expect((await api('GET', `/runner/runs/${runId}/steps/s10/outputs/n`)).body).toBe(11);
  });

  it('answers 202 in async mode; result_url gives the result; an Idempotency-Key gives the same run', async () => {
    await deployed(chain('add-ten-async', 10, { timeout: '0' }));
    const key = randomUUID();
    const first = await api('POST', '/user-api/default/add-ten-async', { token: '', json: { n: 5 }, headers: { 'idempotency-key': key } });
    expect(first.status, first.text).toBe(202);
    expect(first.body).toMatchObject({ run_id: expect.any(String), result_url: expect.any(String), status_url: expect.any(String) });
    const result = await eventually(() => api('GET', first.body.result_url), (a) => a.status === 200, 30_000);
    expect(result.body).toEqual({ n: 15 });
    const again = await api('POST', '/user-api/default/add-ten-async', { token: '', json: { n: 5 }, headers: { 'idempotency-key': key } });
    expect(again.body.run_id).toBe(first.body.run_id);
    expect((await api('GET', '/runner/runs?workflow=add-ten-async')).body.items).toHaveLength(1);
  });

  it('passes an ActionError\'s status and message to the caller; the run shows the failed step and its log', async () => {
    const imported = await api('POST', '/studio/workflows/import', {
      yaml: ['apiVersion: trellis.dev/v1', 'kind: Workflow', 'name: refuse-it', 'trigger:', '  type: http', '  path: refuse-it', '  auth: none',
        '  inputs:', '    - { name: n, type: integer }', 'steps:', '  - id: no', '    action: refuse', '    inputs:', '      n: ${{ trigger.n }}', ''].join('\n'),
    });
    expect((await api('POST', `/studio/workflows/${imported.body.id}/deploy`)).status).toBe(202);
    await eventually(() => api('GET', `/studio/workflows/${imported.body.id}`), (a) => a.body.deployment?.status === 'deployed', 60_000);
    const answer = await api('POST', '/user-api/default/refuse-it', { token: '', json: { n: 7 } });
    expect(answer.status, answer.text).toBe(422);
    expect(answer.type).toContain('application/problem+json');
    expect(answer.body.detail).toBe('7 is not acceptable');
    const runs = await api('GET', '/runner/runs?workflow=refuse-it');
    const run = await api('GET', `/runner/runs/${runs.body.items[0].id}`);
    expect(run.body.status).toBe('failed');
    expect(run.body.steps[0]).toMatchObject({ id: 'no', status: 'failed' });
    expect((await api('GET', `/runner/runs/${run.body.id}/steps/no/logs`)).text).toContain('refusing 7');
  });

  it('takes a file as a multipart part through the gateway and answers the single file result as the file', async () => {
    await deployed(['apiVersion: trellis.dev/v1', 'kind: Workflow', 'name: number-lines', 'trigger:', '  type: http', '  path: number-lines', '  auth: none',
      '  inputs:', '    - { name: doc, type: file }', 'steps:', '  - id: number', '    action: number-lines', '    inputs:', '      doc: ${{ trigger.doc }}',
      'results:', '  numbered: ${{ steps.number.numbered }}', ''].join('\n'));
    const form = new FormData();
    form.append('doc', new Blob(['first\nsecond\n'], { type: 'text/plain' }), 'lines.txt');
    const answer = await fetch(`${env.gateway.base}/user-api/default/number-lines`, { method: 'POST', body: form });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await answer.text()).toBe('1: first\n2: second\n');
    const run = await api('GET', `/runner/runs/${answer.headers.get('trellis-run-id')}`);
    expect(run.body.trigger_outputs).toEqual({ doc: { name: 'lines.txt', size: 13, content_type: 'text/plain' } });
    const download = await api('GET', `/runner/runs/${run.body.id}/steps/number/outputs/numbered?inline=true`);
    expect(download.text).toBe('1: first\n2: second\n');
  });

  it('starts a manual run with a file input from a multipart form (the web UI\'s and the CLI\'s run form), and refuses a missing file', async () => {
    const id = await deployed(['apiVersion: trellis.dev/v1', 'kind: Workflow', 'name: number-by-hand', 'trigger:', '  type: manual',
      '  inputs:', '    - { name: doc, type: file }', 'steps:', '  - id: number', '    action: number-lines', '    inputs:', '      doc: ${{ trigger.doc }}',
      'results:', '  numbered: ${{ steps.number.numbered }}', ''].join('\n'));
    const form = new FormData();
    form.append('doc', new Blob(['one\ntwo\n'], { type: 'text/plain' }), 'two.txt');
    const started = await fetch(`${env.gateway.base}/runner/workflows/${id}/runs`, { method: 'POST', body: form, headers: { authorization: `Bearer ${admin}` } });
    expect(started.status, await started.clone().text()).toBe(202);
    const runId = ((await started.json()) as { run_id: string }).run_id;
    const run = await eventually(() => api('GET', `/runner/runs/${runId}`), (answer) => answer.body.status === 'succeeded', 30_000);
    expect(run.body.trigger_outputs).toEqual({ doc: { name: 'two.txt', size: 8, content_type: 'text/plain' } });
    expect((await api('GET', `/runner/runs/${runId}/steps/number/outputs/numbered?inline=true`)).text).toBe('1: one\n2: two\n');
    const empty = new FormData();
    empty.append('other', 'x');
    const refused = await fetch(`${env.gateway.base}/runner/workflows/${id}/runs`, { method: 'POST', body: empty, headers: { authorization: `Bearer ${admin}` } });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(((await refused.json()) as { errors: { code: string }[] }).errors.map((error) => error.code).sort()).toEqual(['required_input_missing', 'unknown_input']);
  });

  it('refuses a required-auth trigger without credentials (401), and serves it with them', async () => {
    await deployed(chain('add-two-private', 2, { auth: 'required' }));
    expect((await api('POST', '/user-api/default/add-two-private', { token: '', json: { n: 1 } })).status).toBe(401);
    expect((await api('POST', '/user-api/default/add-two-private', { token: other, json: { n: 1 } })).status).toBe(404);
    const answer = await api('POST', '/user-api/default/add-two-private', { json: { n: 1 } });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toEqual({ n: 3 });
  });

  it('answers 404 to another project on every runs route naming this project\'s run', async () => {
    for (const [method, path] of [
      ['GET', `/runner/runs/${runId}`], ['GET', `/runner/runs/${runId}/steps/s1/logs`], ['GET', `/runner/runs/${runId}/steps/s1/outputs/n`],
      ['GET', `/runner/runs/${runId}/result`], ['POST', `/runner/runs/${runId}/cancel`], ['DELETE', `/runner/runs/${runId}`],
    ] as const) {
      expect(`${method} ${path} ${(await api(method, path, { token: other })).status}`).toBe(`${method} ${path} 404`);
    }
    expect((await api('GET', '/runner/runs', { token: other })).body.items).toEqual([]);
    expect((await api('GET', '/user-api/default/nope', { token: '' })).status).toBe(404);
  });
});
