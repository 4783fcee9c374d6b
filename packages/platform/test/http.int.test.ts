import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import pg from 'pg';
import winston from 'winston';
import { makeLogger } from '@trellis/platform/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PUBLIC } from '@trellis/platform/auth/access';
import { makeHttpApp, startHttpServer, type HttpServer } from '@trellis/platform/http/app';
import { HttpProblem } from '@trellis/platform/http/problem';
import { defineRoute } from '@trellis/platform/http/route';
import { makeMetrics } from '@trellis/platform/metrics';

const lines: string[] = [];
const logger = makeLogger({
  service: 'demo',
  level: 'debug',
  transports: [new winston.transports.Stream({ stream: new Writable({ write: (chunk, _enc, done) => { lines.push(String(chunk)); done(); } }) })],
});

let ready = true;
const routes = [
  defineRoute({
    method: 'post', path: '/things/:thingId', operationId: 'createThing', summary: 'Create a thing', access: PUBLIC,
    params: z.object({ thingId: z.string().regex(/^[a-z]+$/) }),
    query: z.object({ dryRun: z.enum(['true', 'false']).optional() }),
    body: z.object({ name: z.string().min(1), count: z.number().int().min(0), password: z.string().optional() }),
    responses: { 201: { description: 'Created', schema: z.object({ id: z.string(), name: z.string() }) } },
    handler: async ({ params, body }) => ({ status: 201, body: { id: params.thingId, name: body.name } }),
  }),
  defineRoute({
    method: 'post', path: '/values/:name', operationId: 'putValue', summary: 'Takes any JSON value', access: PUBLIC,
    params: z.object({ name: z.string() }),
    query: z.object({ search: z.string().optional() }),
    body: z.object({ value: z.json() }),
    responses: { 200: { description: 'Taken' } },
    handler: async () => ({ status: 200, body: { ok: true } }),
  }),
  defineRoute({
    method: 'get', path: '/boom', operationId: 'boom', summary: 'Fails unexpectedly', access: PUBLIC,
    responses: { 200: { description: 'Never' } },
    handler: async () => { throw new Error('connection to 10.0.0.7 refused: secret internals'); },
  }),
  defineRoute({
    method: 'get', path: '/database-refused', operationId: 'databaseRefused', summary: 'Its database refuses connections', access: PUBLIC,
    responses: { 200: { description: 'Never' } },
    handler: async () => {
      const pool = new pg.Pool({ host: '127.0.0.1', port: closedPort, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 2000 });
      try {
        await pool.query('select 1');
      } finally {
        await pool.end();
      }
      return { status: 200, body: {} };
    },
  }),
  defineRoute({
    method: 'get', path: '/database-restarting', operationId: 'databaseRestarting', summary: 'Its query is ended by the server', access: PUBLIC,
    responses: { 200: { description: 'Never' } },
    handler: async () => {
      const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres', application_name: 'trellis-http-test-victim' });
      client.on('error', () => {});
      await client.connect();
      try {
        await client.query('select pg_sleep(30)');
      } finally {
        await client.end().catch(() => {});
      }
      return { status: 200, body: {} };
    },
  }),
  defineRoute({
    method: 'get', path: '/teapot', operationId: 'teapot', summary: 'Fails expectedly', access: PUBLIC,
    responses: { 200: { description: 'Never' } },
    handler: async () => { throw new HttpProblem(409, 'thing_conflict', 'Conflict', 'That thing already exists.'); },
  }),
];

let server: HttpServer;
let base: string;
/** A port nothing listens on: taken, then given back. */
let closedPort = 0;
beforeAll(async () => {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((done) => probe.close(() => done()));
  const app = makeHttpApp({
    service: 'demo', version: '1.2.3', basePath: '/demo', routes, logger, metrics: makeMetrics('demo'), bodyLimit: '1kb',
    readiness: [
      { name: 'database', check: async () => { if (!ready) throw new Error('connection refused'); } },
      { name: 'slow', check: () => new Promise((resolve) => setTimeout(resolve, ready ? 0 : 5000)) },
    ],
    readinessTimeoutMs: 200,
  });
  server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${server.port}/demo`;
});
afterAll(() => server.close());

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type') ?? '', headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('HTTP edge', () => {
  it('serves a valid request and echoes request and trace ids', async () => {
    const response = await fetch(`${base}/things/abc`, { ...json({ name: 'x', count: 1 }), headers: { 'content-type': 'application/json', 'x-request-id': 'req-42', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ id: 'abc', name: 'x' });
    expect(response.headers.get('x-request-id')).toBe('req-42');
    expect(response.headers.get('x-trace-id')).toBe('0af7651916cd43dd8448eb211c80319c');
  });

  it('makes a trace id of 32 hex digits, another for each request, when the caller sends none', async () => {
    const ids = await Promise.all([1, 2, 3].map(async () => (await fetch(`${base}/things/abc`, json({ name: 'x', count: 1 }))).headers.get('x-trace-id')));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(3);
  });

  it('replaces a request id that is not safe to log', async () => {
    const response = await fetch(`${base}/things/abc`, { ...json({ name: 'x', count: 1 }), headers: { 'content-type': 'application/json', 'x-request-id': 'bad id with spaces' } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['unknown route', '/nowhere', {}, 404, 'not_found'],
    ['wrong method', '/things/abc', { method: 'DELETE' }, 405, 'method_not_allowed'],
    ['malformed JSON', '/things/abc', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": ' }, 400, 'malformed_body'],
    ['body over the limit', '/things/abc', json({ name: 'x'.repeat(2000), count: 1 }), 413, 'payload_too_large'],
    ['huge body', '/things/abc', json({ name: 'x'.repeat(5_000_000), count: 1 }), 413, 'payload_too_large'],
    ['not JSON', '/things/abc', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'name=x' }, 415, 'unsupported_media_type'],
    ['form encoded', '/things/abc', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=x' }, 415, 'unsupported_media_type'],
    ['missing body', '/things/abc', { method: 'POST' }, 400, 'invalid_request'],
    ['JSON array instead of object', '/things/abc', json([1, 2]), 400, 'invalid_request'],
    ['wrong types', '/things/abc', json({ name: 3, count: 'many' }), 400, 'invalid_request'],
    ['bad path parameter', '/things/ABC', json({ name: 'x', count: 1 }), 400, 'invalid_request'],
    ['bad query parameter', '/things/abc?dryRun=maybe', json({ name: 'x', count: 1 }), 400, 'invalid_request'],
    ['expected rejection', '/teapot', {}, 409, 'thing_conflict'],
  ] as const)('%s', async (_case, path, init, status, code) => {
    const response = await call(path, init as RequestInit);
    expect(response.status).toBe(status);
    expect(response.type).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status, code, title: expect.any(String), instance: expect.stringContaining('/demo/'), request_id: expect.any(String) });
  });

  it('names every invalid field', async () => {
    const response = await call('/things/abc', json({ name: 3, count: -1 }));
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.count', 'body.name']);
  });

  it('refuses JSON nested deeper than 100 levels, NUL characters and lone surrogates anywhere, before the schema (which would recurse, or pass them to the database)', async () => {
    const nested = (depth: number) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown;
    expect((await call('/values/a', json({ value: nested(99) }))).status).toBe(200);
    expect((await call('/values/a', json({ value: 'a whole pair: \ud83d\ude00' }))).status).toBe(200);
    const refusals = [
      ['/values/a', json({ value: nested(100) }), 'body'],
      ['/values/a', json({ value: { 'a\u0000': 1 } }), 'body.value'],
      ['/values/a', json({ value: ['x\u0000y'] }), 'body.value.0'],
      ['/values/a%00b', json({ value: 1 }), 'params.name'],
      ['/values/a?search=%00', json({ value: 1 }), 'query.search'],
      // Half of a UTF-16 pair (JSON's "\ud800"), which PostgreSQL's json refuses: the fuzzing suite's 500.
      ['/values/a', json({ value: ['ok', 'x\ud800'] }), 'body.value.1'],
      ['/values/a', json({ value: { ['\udc00']: 1 } }), 'body.value'],
    ] as const;
    for (const [path, init, where] of refusals) {
      const response = await call(path, init);
      expect([path, response.status, response.body.code]).toEqual([path, 400, 'invalid_request']);
      expect(response.body.errors[0].path).toBe(where);
    }
  });

  it('answers 405 with the allowed methods', async () => {
    const response = await call('/things/abc', { method: 'GET' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toContain('POST');
  });

  it('answers an unexpected failure with a bare 500 and logs it with the request id', async () => {
    const response = await call('/boom');
    expect(response.status).toBe(500);
    expect(response.body.code).toBe('internal_error');
    expect(JSON.stringify(response.body)).not.toMatch(/10\.0\.0\.7|internals|stack/);
    expect(lines.some((line) => line.includes('secret internals') && line.includes(response.body.request_id))).toBe(true);
  });

  it('answers 503 with Retry-After, not 500, when its database refuses connections, and logs a warning', async () => {
    const answer = await call('/database-refused');
    expect(answer.status).toBe(503);
    expect(answer.type).toContain('application/problem+json');
    expect(answer.body).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(answer.headers.get('retry-after')).toBe('2');
    expect(lines.some((line) => line.includes('"level":"warn"') && line.includes('a backing service is out of reach'))).toBe(true);
  });

  it('answers 503 when the server ends its query (a restart, a failover: SQLSTATE 57P01)', async () => {
    const pending = call('/database-restarting');
    const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await admin.connect();
    try {
      await expect.poll(async () => (await admin.query("select pg_terminate_backend(pid) as ended from pg_stat_activity where application_name = 'trellis-http-test-victim' and state = 'active'")).rowCount, { timeout: 10_000 }).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    const answer = await pending;
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ code: 'service_unavailable' });
  });

  it('logs one line per request without the body', async () => {
    lines.length = 0;
    await call('/things/abc', json({ name: 'x', count: 1, password: 'hunter2-hunter2' }));
    const requestLines = lines.filter((line) => JSON.parse(line).message === 'request');
    expect(requestLines).toHaveLength(1);
    expect(JSON.parse(requestLines[0] ?? '{}')).toMatchObject({ method: 'POST', route: '/demo/things/:thingId', status: 201 });
    expect(lines.join('\n')).not.toContain('hunter2');
  });

  it('reports readiness per check, with a timeout, and recovers', async () => {
    expect((await call('/readyz')).body).toEqual({ status: 'ready', checks: { database: 'ok', slow: 'ok' } });
    ready = false;
    const down = await call('/readyz');
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ status: 'not_ready', checks: { database: 'connection refused', slow: 'timed out after 200 ms' } });
    ready = true;
    expect((await call('/readyz')).status).toBe(200);
    expect((await call('/healthz')).body).toEqual({ status: 'ok', service: 'demo', version: '1.2.3' });
  });

  it('describes its routes in OpenAPI from the same schemas', async () => {
    const { body: doc } = await call('/openapi.json');
    expect(doc.openapi).toBe('3.1.0');
    const operation = doc.paths['/demo/things/{thingId}'].post;
    expect(operation.operationId).toBe('createThing');
    expect(operation.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object', required: ['name', 'count'], properties: { name: { type: 'string', minLength: 1 }, count: { type: 'integer', minimum: 0 } },
    });
    expect(operation.parameters).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'thingId', in: 'path', required: true }),
      expect.objectContaining({ name: 'dryRun', in: 'query', required: false }),
    ]));
    expect(operation.responses.default.content['application/problem+json']).toBeDefined();
    expect(doc.paths['/demo/healthz'].get.security).toEqual([]);
    expect(doc.security).toEqual([{ bearer: [] }]);
  });

  it('exposes request metrics by route template', async () => {
    const response = await fetch(`${base}/metrics`);
    const text = await response.text();
    expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/demo\/things\/:thingId"[^}]*status="201"[^}]*\} \d+/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});
