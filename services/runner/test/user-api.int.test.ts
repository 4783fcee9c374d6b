import { randomUUID } from 'node:crypto';
import type { JsonValue } from '@trellis/kernel/io';
import { describe, expect, it } from 'vitest';
import { generateApiKey } from '@trellis/platform/auth/api-keys';
import { handled, publishAs } from '@trellis/platform/testing/service-harness';
import * as authorization from '../src/infrastructure/pb/authorization/v1/events.js';
import { aDeployRequested, aPinned, QUEUE, useDeploymentRunner } from './deployment-support.js';
import { makeFakeEngine } from './fake-engine.js';

const fake = makeFakeEngine();
// A small rate so that the limit is reached in a test; every other test uses a workflow of its own.
const { runner, answersTo, knownProject, deployRequested } = useDeploymentRunner({ engine: fake.engine, env: { TRELLIS_USER_API_RATE: '1', TRELLIS_USER_API_BURST: '4' } });

type Answer = { status: number; body: any; headers: Headers }; // eslint-disable-line @typescript-eslint/no-explicit-any -- answers are checked field by field

async function userApi(method: string, path: string, options: { body?: unknown; rawBody?: string; token?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${new URL(runner.base).origin}/user-api/${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

const inputs = [
  { name: 'n', type: 'integer' }, { name: 'label', type: 'string', optional: true }, { name: 'fast', type: 'boolean', default: false },
];

/** A project named `name` serving an HTTP trigger at `path` (deployed as studio would); returns its id. */
async function serving(path: string, trigger: Record<string, unknown> = {}, projectName = `p-${randomUUID().slice(0, 8)}`) {
  const projectId = await knownProject(projectName);
  const pin = aPinned({ id: 'add-one' }); // one integer output n
  const documentJson = JSON.stringify({
    apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: path.replace(/\//g, '-'), trigger: { type: 'http', path, inputs, ...trigger },
    steps: [{ id: 's1', action: 'add-one@1.0.0', inputs: { n: '${{ trigger.n }}' } }],
    results: { n: '${{ steps.s1.n }}', label: '${{ trigger.label }}' },
  });
  const request = aDeployRequested(projectId, { path, actions: [pin], documentJson, workflowName: path.replace(/\//g, '-') });
  await deployRequested(request);
  const [answer] = await answersTo(request.deploymentId);
  expect(answer?.type).toBe('trellis.runner.v1.WorkflowDeployed');
  return { projectId, projectName, workflowId: request.workflowId };
}

const ok = (results: Record<string, JsonValue>) => ({ outcome: { status: 'succeeded' as const, results, error: null } });

describe('/user-api/<project>/<path>', () => {
  it('runs the workflow with the JSON body (defaults and optional inputs filled in) and answers 200 with its results', async () => {
    const { projectName, projectId, workflowId } = await serving('sync/add', { auth: 'none' });
    fake.behave(() => ok({ n: 11 }));
    const answer = await userApi('POST', `${projectName}/sync/add`, { body: { n: 10 }, headers: { traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01` } });
    expect(answer).toMatchObject({ status: 200, body: { n: 11 } });
    expect(fake.started.at(-1)).toEqual({
      projectId, workflowId, triggerType: 'http', triggerOutputs: { n: 10, label: null, fast: false }, traceId: 'ab'.repeat(16), runId: expect.any(String),
    });
  });

  it('takes GET with the inputs in the query string, read by their declared types', async () => {
    const { projectName } = await serving('query', { auth: 'none' });
    fake.behave((request) => ok({ got: request.triggerOutputs }));
    const answer = await userApi('GET', `${projectName}/query?n=5&fast=true&label=x`);
    expect(answer).toMatchObject({ status: 200, body: { got: { n: 5, fast: true, label: 'x' } } });
  });

  it('answers 202 with the run\'s URLs past the timeout, and at once with timeout 0', async () => {
    const { projectName } = await serving('slow', { auth: 'none', timeout: '200ms' });
    fake.behave(() => ({ ...ok({ n: 1 }), delayMs: 2000 }));
    const late = await userApi('POST', `${projectName}/slow`, { body: { n: 1 } });
    expect(late.status).toBe(202);
    const runId = late.body.run_id as string;
    expect(late.body).toEqual({ run_id: runId, status_url: `/runner/runs/${runId}`, result_url: `/runner/runs/${runId}/result` });
    expect(late.headers.get('location')).toBe(`/runner/runs/${runId}`);

    const { projectName: other } = await serving('async', { auth: 'none', timeout: 0 });
    fake.behave(() => ok({ n: 1 })); // ends at once, yet the answer does not wait
    const now = await userApi('POST', `${other}/async`, { body: { n: 1 } });
    expect(now.status).toBe(202);
  });

  it('passes an action\'s HTTP status, code and message on; any other failure is 500 run_failed with the run id and nothing else', async () => {
    const { projectName } = await serving('fails', { auth: 'none' });
    fake.behave(() => ({ outcome: { status: 'failed', results: null, error: { code: 'http_404', message: 'no such customer', step: 's1', httpStatus: 404 } } }));
    const chosen = await userApi('POST', `${projectName}/fails`, { body: { n: 1 } });
    expect(chosen.status).toBe(404);
    expect(chosen.headers.get('content-type')).toContain('application/problem+json');
    expect(chosen.body).toMatchObject({ status: 404, code: 'http_404', detail: 'no such customer', run_id: expect.any(String) });

    fake.behave(() => ({ outcome: { status: 'failed', results: null, error: { code: 'runtime_crashed', message: 'internal detail at /srv/x.js:12', step: 's1' } } }));
    const crashed = await userApi('POST', `${projectName}/fails`, { body: { n: 1 } });
    expect(crashed.status).toBe(500);
    expect(crashed.body).toMatchObject({ code: 'run_failed', run_id: expect.any(String) });
    expect(JSON.stringify(crashed.body)).not.toContain('/srv/x.js');
  });

  it('refuses inputs that do not match the declaration with 400, naming each, before starting any run', async () => {
    const { projectName } = await serving('strict', { auth: 'none' });
    const before = fake.started.length;
    const answer = await userApi('POST', `${projectName}/strict`, { body: { label: 3, fast: 'yes', extra: 1 } });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('invalid_inputs');
    expect(answer.body.errors.map((error: { path: string; code: string }) => [error.path, error.code])).toEqual([
      ['body.extra', 'unknown_input'], ['body.n', 'required_input_missing'], ['body.label', 'type_mismatch'], ['body.fast', 'type_mismatch'],
    ]);
    expect((await userApi('GET', `${projectName}/strict?n=1.5`)).body.errors).toEqual([expect.objectContaining({ path: 'query.n', code: 'type_mismatch' })]);
    expect((await userApi('POST', `${projectName}/strict`, { body: [1] })).status).toBe(400);
    expect(fake.started.length).toBe(before);
  });

  it('auth required: 401 without or with a bad credential, 404 for another project\'s (as for an unknown path), 403 for a viewer, runs for an operator or its API key', async () => {
    const { projectName, projectId } = await serving('guarded');
    fake.behave(() => ok({ n: 2 }));
    const missing = await userApi('POST', `${projectName}/guarded`, { body: { n: 1 } });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="trellis"');
    expect((await userApi('POST', `${projectName}/guarded`, { body: { n: 1 }, token: 'not-a-token' })).status).toBe(401);

    const unknown = await userApi('POST', `${projectName}/nothing-here`, { body: { n: 1 } });
    const otherProject = await userApi('POST', `${projectName}/guarded`, { body: { n: 1 }, token: await runner.jwks.sign({ projectId: randomUUID(), role: 'owner' }) });
    expect(otherProject.status).toBe(404);
    expect({ ...otherProject.body, request_id: null, instance: null }).toEqual({ ...unknown.body, request_id: null, instance: null });

    expect((await userApi('POST', `${projectName}/guarded`, { body: { n: 1 }, token: await runner.jwks.sign({ projectId, role: 'viewer' }) })).status).toBe(403);
    expect(await userApi('POST', `${projectName}/guarded`, { body: { n: 1 }, token: await runner.jwks.sign({ projectId, role: 'operator' }) })).toMatchObject({ status: 200, body: { n: 2 } });

    const { key, sha256 } = generateApiKey();
    const meta = { eventId: randomUUID(), occurredAt: new Date(), projectId, traceId: 'trace' };
    await handled(runner.database.db, QUEUE, await publishAs(runner.vhost.url, 'authorization', 'trellis.authorization.v1.ApiKeyIssued',
      authorization.ApiKeyIssued.encode(authorization.ApiKeyIssued.fromPartial({ meta, keyId: randomUUID(), projectId, role: 'operator', secretSha256: sha256 })).finish()));
    expect(await userApi('POST', `${projectName}/guarded`, { body: { n: 1 }, token: key })).toMatchObject({ status: 200, body: { n: 2 } });
  });

  it('answers an unknown path and an unknown project with the same 404', async () => {
    const { projectName } = await serving('known', { auth: 'none' });
    const path = await userApi('POST', `${projectName}/unknown`, { body: {} });
    const project = await userApi('POST', `no-such-project/known`, { body: {} });
    expect(path.status).toBe(404);
    expect({ ...path.body, request_id: null, instance: null }).toEqual({ ...project.body, request_id: null, instance: null });
    expect(path.body.code).toBe('not_found');
  });

  it('limits requests per workflow with 429 and Retry-After (another workflow is not affected)', async () => {
    const { projectName } = await serving('limited', { auth: 'none' });
    const { projectName: otherProject } = await serving('free', { auth: 'none' });
    fake.behave(() => ok({}));
    const statuses = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await userApi('POST', `${projectName}/limited`, { body: { n: i } })).status);
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(statuses).toContain(429);
    const limited = await userApi('POST', `${projectName}/limited`, { body: { n: 1 } });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await userApi('POST', `${otherProject}/free`, { body: { n: 1 } })).status).toBe(200);
  });

  it('passes the Idempotency-Key on: the same key gives the same run', async () => {
    const { projectName } = await serving('once', { auth: 'none', timeout: 0 });
    const key = randomUUID();
    const first = await userApi('POST', `${projectName}/once`, { body: { n: 1 }, headers: { 'idempotency-key': key } });
    const again = await userApi('POST', `${projectName}/once`, { body: { n: 1 }, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(202);
    expect(again.body.run_id).toBe(first.body.run_id);
    expect(fake.started.filter((request) => request.idempotencyKey === key)).toHaveLength(1);
    expect((await userApi('POST', `${projectName}/once`, { body: { n: 1 }, headers: { 'idempotency-key': ' ' } })).status).toBe(400);
  });

  it('describes the project\'s triggers in /user-api/<project>/openapi.json (inputs, typed results, security); an unknown project is 404', async () => {
    const { projectName } = await serving('described', { auth: 'none' });
    const answer = await userApi('GET', `${projectName}/openapi.json`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ openapi: '3.1.0', servers: [{ url: `/user-api/${projectName}` }] });
    const post = answer.body.paths['/described'].post;
    expect(post.security).toEqual([]);
    expect(post.requestBody.content['application/json'].schema).toEqual({
      type: 'object', additionalProperties: false, required: ['n'],
      properties: { n: { type: 'integer' }, label: { type: 'string' }, fast: { type: 'boolean', default: false } },
    });
    expect(post.responses['200'].content['application/json'].schema).toEqual({
      type: 'object', required: ['n', 'label'], properties: { n: { type: 'integer' }, label: { type: 'string' } },
    });
    expect(answer.body.paths['/described'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['n', 'label', 'fast']);
    expect((await userApi('GET', 'no-such-project/openapi.json')).status).toBe(404);
    // /user-api is not part of the runner's own document.
    const own = await fetch(`${runner.base}/openapi.json`).then((response) => response.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(own.paths).some((path) => path.startsWith('/user-api'))).toBe(false);
  });
});
