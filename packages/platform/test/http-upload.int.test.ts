import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import winston from 'winston';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PUBLIC } from '@trellis/platform/auth/access';
import { makeHttpApp, startHttpServer, type HttpServer } from '@trellis/platform/http/app';
import { buildOpenApi } from '@trellis/platform/http/openapi';
import { defineRoute, type Route } from '@trellis/platform/http/route';
import { makeLogger } from '@trellis/platform/logger';
import { makeMetrics } from '@trellis/platform/metrics';

const logger = makeLogger({
  service: 'demo', level: 'error',
  transports: [new winston.transports.Stream({ stream: new Writable({ write: (_chunk, _enc, done) => done() }) })],
});

const MAX = 3 * 1024 * 1024;

/** Reads the whole stream as it arrives, hashing it: what a store upload does. */
const routes: Route[] = [
  defineRoute({
    method: 'post', path: '/files', operationId: 'upload', summary: 'A file', access: PUBLIC,
    query: z.object({ name: z.string().optional() }),
    upload: { description: 'The file\'s bytes.', maxBytes: MAX },
    responses: { 201: { description: 'Read' } },
    handler: async ({ upload, query }) => {
      if (!upload) throw new Error('no upload');
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of upload.stream) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      return { status: 201, body: { size, sha256: hash.digest('hex'), type: upload.contentType, name: query.name ?? null } };
    },
  }),
  defineRoute({
    method: 'post', path: '/either', operationId: 'either', summary: 'A form streamed, JSON parsed', access: PUBLIC,
    body: z.object({ a: z.number() }),
    upload: { description: 'A form.', maxBytes: MAX, mediaTypes: ['multipart/form-data'] },
    responses: { 200: { description: 'Read' } },
    handler: async ({ upload, body }) => {
      if (!upload) return { status: 200, body: { json: body } };
      let size = 0;
      for await (const chunk of upload.stream) size += (chunk as Buffer).length;
      return { status: 200, body: { streamed: size, type: upload.contentType } };
    },
  }),
  defineRoute({
    method: 'post', path: '/json', operationId: 'json', summary: 'JSON stays parsed', access: PUBLIC,
    body: z.object({ a: z.number() }),
    responses: { 200: { description: 'Read' } },
    handler: async ({ body }) => ({ status: 200, body }),
  }),
];

let server: HttpServer;
let base: string;
beforeAll(async () => {
  const app = makeHttpApp({ service: 'demo', version: '1.0.0', basePath: '/demo', routes, logger, metrics: makeMetrics('demo'), bodyLimit: '1kb', readiness: [] });
  server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${server.port}/demo`;
});
afterAll(() => server.close());

/** Sends the body in chunks without a length (chunked), so the service learns the size only while reading. */
function post(path: string, parts: Buffer[], headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    void (async () => {
      for (const part of parts) if (!req.write(part)) await new Promise((drained) => req.once('drain', drained));
      req.end();
    })();
  });
}

describe('an upload route', () => {
  it('streams a file of any type, far past the JSON body limit, to its handler', async () => {
    const bytes = Buffer.alloc(2 * 1024 * 1024, 7);
    const answer = await post('/files?name=a.bin', [bytes.subarray(0, 1_000_000), bytes.subarray(1_000_000)], { 'content-type': 'application/json' });
    expect(answer).toEqual({ status: 201, body: { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), type: 'application/json', name: 'a.bin' } });
  });

  it('refuses a declared length over the limit before reading, with a 413 problem', async () => {
    const response = await fetch(`${base}/files`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: Buffer.alloc(MAX + 1) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'payload_too_large' });
  });

  it('cuts off a chunked body once it grows past the limit, with a 413 problem', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 1);
    const answer = await post('/files', [chunk, chunk, chunk, chunk], { 'content-type': 'application/octet-stream' });
    expect(answer.status).toBe(413);
    expect(answer.body['code']).toBe('payload_too_large');
  });

  it('takes an empty body as an empty file', async () => {
    const response = await fetch(`${base}/files?name=empty`, { method: 'POST', headers: { 'content-type': 'text/plain', 'content-length': '0' }, body: '' });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ size: 0, sha256: createHash('sha256').digest('hex') });
  });

  it('leaves other routes\' JSON parsing and limits as they were', async () => {
    expect((await fetch(`${base}/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' })).status).toBe(200);
    expect((await fetch(`${base}/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 1, pad: 'x'.repeat(2000) }) })).status).toBe(413);
  });

  it('streams only the media types a route names, and parses JSON (with its limits) for the rest', async () => {
    const form = new FormData();
    form.append('doc', new Blob(['x'.repeat(5000)]), 'a.txt');
    const streamed = await fetch(`${base}/either`, { method: 'POST', body: form });
    expect(await streamed.json()).toMatchObject({ type: 'multipart/form-data' });
    expect(await (await fetch(`${base}/either`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":2}' })).json()).toEqual({ json: { a: 2 } });
    const tooBig = await fetch(`${base}/either`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 1, pad: 'x'.repeat(2000) }) });
    expect(tooBig.status).toBe(413);
    const document = buildOpenApi({ title: 'demo', version: '1', basePath: '/demo', routes }) as { paths: Record<string, { post: { requestBody: { content: Record<string, unknown> } } }> };
    expect(Object.keys(document.paths['/demo/either']?.post.requestBody.content ?? {})).toEqual(['application/json', 'multipart/form-data']);
  });

  it('is described in OpenAPI as a binary body', () => {
    const document = buildOpenApi({ title: 'demo', version: '1', basePath: '/demo', routes }) as { paths: Record<string, { post: { requestBody: { content: Record<string, { schema: { format: string } }> } } }> };
    expect(document.paths['/demo/files']?.post.requestBody.content['*/*']?.schema.format).toBe('binary');
  });
});

/**
 * One keep-alive connection, as the gateway keeps to a service: `first` is written whole (the
 * gateway has sent it all), then a plain GET. What came back, and whether the service closed it.
 */
async function onOneConnection(first: string): Promise<{ answers: string[]; closed: boolean }> {
  const { port } = new URL(base);
  const socket = connect(Number(port), '127.0.0.1');
  let received = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  const settle = (ms: number) => new Promise((done) => setTimeout(done, ms));
  socket.write(first);
  await settle(300);
  if (!closed) socket.write('GET /demo/healthz HTTP/1.1\r\nHost: demo\r\n\r\n');
  await settle(700);
  socket.destroy();
  return { answers: [...received.matchAll(/HTTP\/1\.1 (\d{3})[^\r]*\r\n((?:[^\r]+\r\n)*)/g)].map((m) => `${m[1]}${/^connection: close/im.test(m[2] ?? '') ? ' close' : ''}`), closed };
}

function chunked(path: string, contentType: string, body: string): string {
  let encoded = '';
  for (let at = 0; at < body.length; at += 16 * 1024) {
    const part = body.slice(at, at + 16 * 1024);
    encoded += `${part.length.toString(16)}\r\n${part}\r\n`;
  }
  return `POST ${path} HTTP/1.1\r\nHost: demo\r\nContent-Type: ${contentType}\r\nTransfer-Encoding: chunked\r\n\r\n${encoded}0\r\n\r\n`;
}

describe('a request answered before its body was read to the end', () => {
  // Unless the rest of the body is read, the connection stays paused: the GET sent next on it
  // (as the gateway reuses its connections) waited for good. Closing it instead made the gateway
  // answer 502 now and then (the close resets a connection the body still arrives on).
  it('reads the rest and answers the next request: a JSON body found over the limit while reading', async () => {
    const result = await onOneConnection(chunked('/demo/json', 'application/json', JSON.stringify({ a: 1, pad: 'x'.repeat(200_000) })));
    expect(result).toEqual({ answers: ['413', '200'], closed: false });
  });

  it('reads the rest and answers the next request: an upload cut off past its limit', async () => {
    const result = await onOneConnection(chunked('/demo/files', 'application/octet-stream', 'y'.repeat(MAX + 64 * 1024)));
    expect(result).toEqual({ answers: ['413', '200'], closed: false });
  });

  it('reads the rest and answers the next request: an upload refused for its declared length', async () => {
    const body = 'z'.repeat(MAX + 1);
    const result = await onOneConnection(`POST /demo/files HTTP/1.1\r\nHost: demo\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    expect(result).toEqual({ answers: ['413', '200'], closed: false });
  });

  it('keeps it open after a request read whole, refused or not', async () => {
    expect(await onOneConnection(chunked('/demo/json', 'application/json', '{"a":"not a number"}'))).toEqual({ answers: ['400', '200'], closed: false });
    expect(await onOneConnection(chunked('/demo/json', 'application/json', '{"a":1}'))).toEqual({ answers: ['200', '200'], closed: false });
  });
});
