import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanUpRuns, runStandardAction } from './support/run-action.js';

/** What the test server saw of one request. */
type Seen = { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer };

type Route = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/** A real HTTP server on a loopback address whose routes each test sets. */
async function startServer(host: string): Promise<{ server: Server; base: string; seen: Seen[]; routes: Map<string, Route> }> {
  const seen: Seen[] = [];
  const routes = new Map<string, Route>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const route = routes.get(new URL(req.url ?? '/', 'http://x').pathname);
      if (route) route(req, res, body);
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('no such route');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://${host}:${port}`, seen, routes };
}

const TOKEN = 'tok_very_secret_123';
let a: Awaited<ReturnType<typeof startServer>>;
let b: Awaited<ReturnType<typeof startServer>>;
let scratch: string;

beforeAll(async () => {
  a = await startServer('127.0.0.1');
  b = await startServer('127.0.0.2'); // another origin for the cross-origin redirect
  scratch = await mkdtemp(join(tmpdir(), 'http-request-test-'));
});
afterAll(async () => {
  a.server.closeAllConnections();
  b.server.closeAllConnections();
  await new Promise((resolve) => a.server.close(resolve));
  await new Promise((resolve) => b.server.close(resolve));
  await rm(scratch, { recursive: true, force: true });
  await cleanUpRuns();
});
beforeEach(() => {
  process.env.TRELLIS_ALLOW_PRIVATE_NETWORK = 'true';
  a.seen.length = 0;
  b.seen.length = 0;
  a.routes.clear();
  b.routes.clear();
});
afterEach(() => {
  delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
});

const json = (res: ServerResponse, status: number, value: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));

describe('http-request: requests and answers', () => {
  it('sends the method, query, headers and bearer token, and parses a JSON answer', async () => {
    a.routes.set('/items', (_req, res) => json(res, 200, { items: [1, 2] }));
    const run = await runStandardAction('http-request', {
      url: `${a.base}/items?fixed=1`,
      query: { page: 2, tag: ['x', 'y'] },
      headers: { 'X-Trace': 'abc' },
      auth: 'bearer',
      token: TOKEN,
    });
    expect(run.error).toBeNull();
    expect(run.outputs).toMatchObject({ status: 200, ok: true, body_json: { items: [1, 2] } });
    expect((run.outputs.headers as Record<string, string>)['content-type']).toBe('application/json');
    const [request] = a.seen;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe('/items?fixed=1&page=2&tag=x&tag=y');
    expect(request?.headers['x-trace']).toBe('abc');
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('sends JSON, text, form and file bodies, and basic auth', async () => {
    a.routes.set('/echo', (req, res, body) =>
      json(res, 201, { type: req.headers['content-type'], length: body.length, sha: createHash('sha256').update(body).digest('hex'), text: body.toString() }),
    );
    const post = (inputs: Record<string, unknown>) =>
      runStandardAction('http-request', { method: 'POST', url: `${a.base}/echo`, ...(inputs as Record<string, never>) });

    expect((await post({ body_type: 'json', body_json: { a: 1 } })).outputs.body_json).toMatchObject({ type: 'application/json', text: '{"a":1}' });
    expect((await post({ body_type: 'text', body_text: 'héllo' })).outputs.body_json).toMatchObject({ type: 'text/plain; charset=utf-8', text: 'héllo' });
    expect((await post({ body_type: 'form', body_form: { q: 'a b', n: [1, 2] } })).outputs.body_json).toMatchObject({
      type: 'application/x-www-form-urlencoded',
      text: 'q=a+b&n=1&n=2',
    });
    const content = Buffer.alloc(300_000, 7);
    const path = join(scratch, 'upload.bin');
    await writeFile(path, content);
    const file = await post({ body_type: 'file', body_file: { file: path } as never, headers: { 'content-type': 'image/png' } });
    expect(file.outputs.body_json).toMatchObject({ type: 'image/png', length: content.length, sha: createHash('sha256').update(content).digest('hex') });

    await post({ auth: 'basic', username: 'ann', password: 'pw:1' });
    expect(a.seen.at(-1)?.headers.authorization).toBe(`Basic ${Buffer.from('ann:pw:1').toString('base64')}`);
  });

  it('returns a binary answer as a file and text as text', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251]);
    a.routes.set('/report.bin', (_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes));
    a.routes.set('/hello', (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('hi'));
    const file = await runStandardAction('http-request', { url: `${a.base}/report.bin` });
    expect(await readFile(file.outputs.body_file as string)).toEqual(bytes);
    const text = await runStandardAction('http-request', { url: `${a.base}/hello` });
    expect(text.outputs.body_text).toBe('hi');
    const forced = await runStandardAction('http-request', { url: `${a.base}/hello`, response_as: 'file' });
    expect(await readFile(forced.outputs.body_file as string, 'utf8')).toBe('hi');
  });

  it('fails with http_<status>, the status line and the start of the body, never the token', async () => {
    a.routes.set('/missing', (_req, res) => res.writeHead(404, { 'content-type': 'text/plain' }).end(`gone ${'x'.repeat(2000)}`));
    const run = await runStandardAction('http-request', { url: `${a.base}/missing?api_key=${TOKEN}`, auth: 'bearer', token: TOKEN });
    expect(run.error?.code).toBe('http_404');
    expect(run.error?.message).toContain('404 Not Found');
    expect(run.error?.message).toContain('gone xxx');
    expect(run.error?.message.length).toBeLessThan(700);
    expect(`${run.error?.message}${run.stdout}${run.stderr}${run.diagnostics}`).not.toContain(TOKEN);
  });

  it('passes an error status through with fail_on_status false', async () => {
    a.routes.set('/teapot', (_req, res) => json(res, 418, { short: true }));
    const run = await runStandardAction('http-request', { url: `${a.base}/teapot`, fail_on_status: false });
    expect(run.error).toBeNull();
    expect(run.outputs).toMatchObject({ status: 418, ok: false, body_json: { short: true } });
  });
});

describe('http-request: retries', () => {
  it('retries a GET after 503 and 429 answers, then succeeds', async () => {
    let calls = 0;
    a.routes.set('/flaky', (_req, res) => {
      calls += 1;
      if (calls === 1) return json(res, 503, { busy: true });
      if (calls === 2) return json(res, 429, { slow: true });
      return json(res, 200, { calls });
    });
    const run = await runStandardAction('http-request', { url: `${a.base}/flaky` });
    expect(run.error).toBeNull();
    expect(run.outputs.body_json).toEqual({ calls: 3 });
  });

  it('does not retry a POST unless retry_unsafe', async () => {
    a.routes.set('/busy', (_req, res) => json(res, 503, { busy: true }));
    const once = await runStandardAction('http-request', { method: 'POST', url: `${a.base}/busy`, body_type: 'json', body_json: { n: 1 } });
    expect(once.error?.code).toBe('http_503');
    expect(a.seen).toHaveLength(1);
    a.seen.length = 0;
    const unsafe = await runStandardAction('http-request', { method: 'POST', url: `${a.base}/busy`, body_type: 'json', body_json: { n: 1 }, retry_unsafe: true, retries: 1 });
    expect(unsafe.error?.code).toBe('http_503');
    expect(a.seen).toHaveLength(2);
    expect(a.seen[1]?.body.toString()).toBe('{"n":1}');
  });

  it('retries a refused connection, then fails with connection_failed', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const run = await runStandardAction('http-request', { url: `http://127.0.0.1:${port}/`, retries: 1 });
    expect(run.error?.code).toBe('connection_failed');
    expect(run.stdout).toContain('attempt 2');
  });

  it('gives up after timeout_ms', async () => {
    a.routes.set('/slow', () => undefined); // never answers
    const run = await runStandardAction('http-request', { url: `${a.base}/slow`, timeout_ms: 300, retries: 0 });
    expect(run.error?.code).toBe('timeout');
  });
});

describe('http-request: redirects', () => {
  it('keeps credentials on the same origin and drops them on another', async () => {
    a.routes.set('/start', (_req, res) => res.writeHead(302, { location: '/same' }).end());
    a.routes.set('/same', (_req, res) => res.writeHead(307, { location: `${b.base}/other` }).end());
    b.routes.set('/other', (_req, res) => json(res, 200, { landed: true }));
    const run = await runStandardAction('http-request', { url: `${a.base}/start`, auth: 'bearer', token: TOKEN, headers: { cookie: 'sid=1', 'x-keep': 'yes' } });
    expect(run.outputs).toMatchObject({ status: 200, body_json: { landed: true } });
    expect(a.seen.map((r) => r.headers.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(b.seen[0]?.headers.authorization).toBeUndefined();
    expect(b.seen[0]?.headers.cookie).toBeUndefined();
    expect(b.seen[0]?.headers['x-keep']).toBe('yes');
  });

  it('stops after 5 redirects, and returns a redirect as is when follow_redirects is false', async () => {
    a.routes.set('/loop', (req, res) => res.writeHead(302, { location: `/loop?n=${Math.random()}` }).end());
    const run = await runStandardAction('http-request', { url: `${a.base}/loop` });
    expect(run.error?.code).toBe('too_many_redirects');
    expect(a.seen).toHaveLength(6);
    const kept = await runStandardAction('http-request', { url: `${a.base}/loop`, follow_redirects: false });
    expect(kept.outputs).toMatchObject({ status: 302, ok: false });
  });
});

describe('http-request: guards', () => {
  it('refuses loopback, private, link-local and metadata addresses unless allowed', async () => {
    delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
    a.routes.set('/secret', (_req, res) => json(res, 200, { secret: true }));
    for (const url of [`${a.base}/secret`, `http://localhost:${new URL(a.base).port}/secret`, 'http://169.254.169.254/latest/meta-data/', 'http://10.1.2.3/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://100.64.0.1/', 'http://0.0.0.0/']) {
      const run = await runStandardAction('http-request', { url, timeout_ms: 2000 });
      expect(run.error?.code, url).toBe('address_not_allowed');
    }
    expect(a.seen).toHaveLength(0);
  });

  it('checks every redirect hop again', async () => {
    // The first hop is allowed; the server withdraws the allowance before answering, so the
    // second hop (a name resolving to loopback, then a literal) must be checked on its own.
    a.routes.set('/to-name', (_req, res) => {
      delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
      res.writeHead(302, { location: `http://localhost:${new URL(b.base).port}/other` }).end();
    });
    a.routes.set('/to-literal', (_req, res) => {
      delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
      res.writeHead(302, { location: `${b.base}/other` }).end();
    });
    b.routes.set('/other', (_req, res) => json(res, 200, { reached: true }));
    for (const path of ['/to-name', '/to-literal']) {
      process.env.TRELLIS_ALLOW_PRIVATE_NETWORK = 'true';
      const run = await runStandardAction('http-request', { url: `${a.base}${path}` });
      expect(run.error?.code, path).toBe('address_not_allowed');
    }
    expect(b.seen).toHaveLength(0);
  });

  it('refuses an answer larger than max_response_bytes while streaming it', async () => {
    let written = 0;
    const endless = (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 1);
      const pump = () => {
        while (written < 200 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => undefined);
      pump();
    };
    a.routes.set('/huge', endless);
    for (const response_as of ['file', 'text']) {
      written = 0;
      const run = await runStandardAction('http-request', { url: `${a.base}/huge`, max_response_bytes: 1024 * 1024, response_as });
      expect(run.error?.code, response_as).toBe('response_too_large');
      expect(written, response_as).toBeLessThan(50 * 1024 * 1024);
    }
    a.routes.set('/declared', (_req, res) => res.writeHead(200, { 'content-length': '5000' }).end('y'.repeat(5000)));
    const declared = await runStandardAction('http-request', { url: `${a.base}/declared`, max_response_bytes: 100 });
    expect(declared.error?.code).toBe('response_too_large');
  });

  it('checks the address behind an https:// name too, and refuses an untrusted certificate', async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(scratch, 'key.pem'), '-out', join(scratch, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    const tls = createTlsServer({ key: await readFile(join(scratch, 'key.pem')), cert: await readFile(join(scratch, 'cert.pem')) }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    const url = `https://localhost:${(tls.address() as AddressInfo).port}/`;
    try {
      const untrusted = await runStandardAction('http-request', { url, retries: 0 });
      expect(untrusted.error?.code).toBe('tls_failed');
      delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
      const refused = await runStandardAction('http-request', { url, retries: 0 });
      expect(refused.error?.code).toBe('address_not_allowed');
    } finally {
      tls.closeAllConnections();
      await new Promise((resolve) => tls.close(resolve));
    }
  });

  it('refuses credentials in the URL and other schemes', async () => {
    const withUser = await runStandardAction('http-request', { url: `http://ann:${TOKEN}@127.0.0.1/` });
    expect(withUser.error?.code).toBe('bad_url');
    expect(withUser.error?.message).not.toContain(TOKEN);
    expect((await runStandardAction('http-request', { url: 'file:///etc/passwd' })).error?.code).toBe('bad_url');
  });
});
