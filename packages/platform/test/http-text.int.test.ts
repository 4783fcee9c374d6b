import { Writable } from 'node:stream';
import winston from 'winston';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PUBLIC } from '@trellis/platform/auth/access';
import { makeHttpApp, startHttpServer, type HttpServer } from '@trellis/platform/http/app';
import { HttpProblem } from '@trellis/platform/http/problem';
import { defineRoute } from '@trellis/platform/http/route';
import { makeLogger } from '@trellis/platform/logger';
import { makeMetrics } from '@trellis/platform/metrics';

const logger = makeLogger({
  service: 'demo', level: 'error',
  transports: [new winston.transports.Stream({ stream: new Writable({ write: (_chunk, _enc, done) => done() }) })],
});

const yaml = { mediaTypes: ['application/yaml', 'text/yaml'], description: 'The document as YAML' } as const;
const routes = [
  defineRoute({
    method: 'put', path: '/docs/:name', operationId: 'putDoc', summary: 'A document as JSON or YAML', access: PUBLIC,
    params: z.object({ name: z.string() }),
    body: z.object({ title: z.string() }),
    text: yaml,
    responses: { 200: { description: 'What was read' } },
    handler: async ({ body, text }) => ({ status: 200, body: { body: body ?? null, text: text ?? null } }),
  }),
  defineRoute({
    method: 'post', path: '/imports', operationId: 'importDoc', summary: 'A document as YAML only', access: PUBLIC,
    text: yaml,
    responses: { 200: { description: 'What was read' } },
    handler: async ({ body, text }) => {
      if (text.startsWith('bad')) {
        throw new HttpProblem(422, 'invalid_document', 'Invalid document', 'The document has 1 problem.', [
          { path: 'steps.2.inputs.n', message: 'Unknown input', code: 'unknown_input', line: 7, column: 9 },
        ]);
      }
      return { status: 200, body: { body: body ?? null, text } };
    },
  }),
  defineRoute({
    method: 'patch', path: '/things/:id', operationId: 'patchThing', summary: 'JSON only (merge patch)', access: PUBLIC,
    body: z.object({ name: z.string().nullable().optional() }),
    responses: { 200: { description: 'What was read' } },
    handler: async ({ body, text }) => ({ status: 200, body: { body, text: text ?? null } }),
  }),
];

let server: HttpServer;
let base: string;
beforeAll(async () => {
  const app = makeHttpApp({
    service: 'demo', version: '1.0.0', basePath: '/demo', routes, logger, metrics: makeMetrics('demo'), bodyLimit: '1kb', readiness: [],
  });
  server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${server.port}/demo`;
});
afterAll(() => server.close());

async function send(method: string, path: string, type: string | undefined, body?: string) {
  const response = await fetch(`${base}${path}`, { method, headers: type ? { 'content-type': type } : {}, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
}

const document = 'title: Hello\nsteps:\n  - id: a # é\n';

describe('routes that take text bodies', () => {
  it.each([
    ['application/yaml'],
    ['text/yaml'],
    ['application/yaml; charset=utf-8'],
    ['Application/YAML'],
  ])('gives the raw body as text for %s, and no JSON body', async (type) => {
    const answer = await send('PUT', '/docs/a', type, document);
    expect(answer).toMatchObject({ status: 200, body: { body: null, text: document } });
  });

  it('still takes JSON on a route that has both', async () => {
    const answer = await send('PUT', '/docs/a', 'application/json', JSON.stringify({ title: 'Hello' }));
    expect(answer).toMatchObject({ status: 200, body: { body: { title: 'Hello' }, text: null } });
  });

  it('applies the JSON schema to JSON only', async () => {
    expect((await send('PUT', '/docs/a', 'application/json', '{"title": 3}')).body.code).toBe('invalid_request');
    expect((await send('PUT', '/docs/a', 'application/yaml', 'title: 3\n')).status).toBe(200);
  });

  it('takes an empty text body as the empty string', async () => {
    expect((await send('POST', '/imports', 'application/yaml', '')).body).toEqual({ body: null, text: '' });
  });

  it.each([
    ['a JSON+YAML route, plain text', 'PUT', '/docs/a', 'text/plain', 'title: x', 'Send the body as application/json, application/yaml, text/yaml.'],
    ['a JSON+YAML route, form', 'PUT', '/docs/a', 'application/x-www-form-urlencoded', 'title=x', 'Send the body as application/json, application/yaml, text/yaml.'],
    ['a YAML route, JSON', 'POST', '/imports', 'application/json', '{"title": "x"}', 'Send the body as application/yaml, text/yaml.'],
    ['a YAML route, x-yaml', 'POST', '/imports', 'application/x-yaml', 'title: x', 'Send the body as application/yaml, text/yaml.'],
    ['a JSON route, YAML', 'PATCH', '/things/a', 'application/yaml', 'name: x', 'Send the body as application/json.'],
  ])('answers 415 naming the accepted types: %s', async (_case, method, path, type, body, detail) => {
    const answer = await send(method, path, type, body);
    expect(answer.status).toBe(415);
    expect(answer.type).toContain('application/problem+json');
    expect(answer.body).toMatchObject({ code: 'unsupported_media_type', detail });
  });

  it('asks for a body on a text-only route sent none', async () => {
    const answer = await send('POST', '/imports', undefined);
    expect(answer).toMatchObject({ status: 400, body: { code: 'invalid_request', errors: [{ path: 'body', message: 'Required' }] } });
  });

  it.each([
    ['over the limit', 'a: ' + 'x'.repeat(2000)],
    ['huge', 'a: ' + 'x'.repeat(5_000_000)],
  ])('answers 413 to a text body %s (the JSON limit)', async (_case, body) => {
    const answer = await send('POST', '/imports', 'application/yaml', body);
    expect(answer).toMatchObject({ status: 413, body: { code: 'payload_too_large' } });
  });

  it('keeps reading application/merge-patch+json as JSON', async () => {
    const answer = await send('PATCH', '/things/a', 'application/merge-patch+json', '{"name": null}');
    expect(answer).toMatchObject({ status: 200, body: { body: { name: null }, text: null } });
  });

  it('serialises located errors with their code, line and column', async () => {
    const answer = await send('POST', '/imports', 'application/yaml', 'bad: document\n');
    expect(answer.status).toBe(422);
    expect(answer.body.errors).toEqual([{ path: 'steps.2.inputs.n', message: 'Unknown input', code: 'unknown_input', line: 7, column: 9 }]);
  });

  it('describes the JSON and the text bodies in OpenAPI', async () => {
    const { body: doc } = await send('GET', '/openapi.json', undefined);
    const both = doc.paths['/demo/docs/{name}'].put.requestBody;
    expect(Object.keys(both.content)).toEqual(['application/json', 'application/yaml', 'text/yaml']);
    expect(both.content['application/json'].schema).toMatchObject({ type: 'object', properties: { title: { type: 'string' } } });
    expect(both.content['application/yaml'].schema).toEqual({ type: 'string', description: 'The document as YAML' });
    const yamlOnly = doc.paths['/demo/imports'].post.requestBody;
    expect(Object.keys(yamlOnly.content)).toEqual(['application/yaml', 'text/yaml']);
    expect(doc.paths['/demo/healthz'].get.requestBody).toBeUndefined();
    const error = doc.components.schemas.Problem.properties.errors.items;
    expect(error.properties).toMatchObject({ code: { type: 'string' }, line: { type: 'integer' }, column: { type: 'integer' } });
  });
});
