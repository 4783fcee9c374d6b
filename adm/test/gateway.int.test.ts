import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, type ServiceName } from '../src/catalog.js';
import { gatewayTempDir, gatewayTemplatePath, gatewayWorkerUser, localGatewayVars, renderTemplate } from '../src/local/gateway.js';
import { localSettingsFromEnv, type LocalSettings } from '../src/local/settings.js';
import { statePaths } from '../src/paths.js';
import { freePort } from './fixtures.js';
import { startImageGateway, startLocalGateway, type RunningGateway } from './gateway-instances.js';

type Echo = { service: string; method: string; url: string; headers: Record<string, string>; body: string };
type Answer = { status: number; type: string | undefined; body: string };

const KB = 1024;
const MB = 1024 * KB;
/** The stand-ins' body limit, as TRELLIS_BODY_LIMIT is the services' (1mb by default). */
const SERVICE_LIMIT = MB;

/** What the stand-ins saw of each request, by request id: the first bytes of its body arrived. */
const bodyStarted = new Map<string, () => void>();

function tooLarge(res: ServerResponse): void {
  res.statusCode = 413;
  res.setHeader('content-type', 'application/problem+json');
  res.end(JSON.stringify({ type: 'https://trellis.dev/problems/payload_too_large', status: 413, code: 'payload_too_large', detail: 'said by the service' }));
}

/**
 * A stand-in service that answers with what it received. Like a service's body parser, it
 * answers 413 from Content-Length before reading a byte of a body over its limit, and as soon
 * as a chunked body goes over it; Node then reads and drops the rest, as it does for Koa.
 */
function echoServer(service: ServiceName, port: number): Promise<Server> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (Number(req.headers['content-length'] ?? 0) > SERVICE_LIMIT) return tooLarge(res);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size === 0) bodyStarted.get(String(req.headers['x-request-id']))?.();
      size += chunk.length;
      if (size > SERVICE_LIMIT) {
        if (!res.headersSent) tooLarge(res);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-request-id', 'set-by-the-service');
      res.end(JSON.stringify({ service, method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }));
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

/** A request through node:http, so that a body can be sent in parts and an early answer seen. */
function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer | string; parts?: (req: ReturnType<typeof request>) => Promise<void> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // A connection of its own: Node's global agent keeps sockets alive, and reusing one nginx has
    // just closed fails at once with "socket hang up" (CI saw it), which says nothing of the gateway.
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.parts) options.parts(req).then(() => req.end(), reject);
    else req.end(options.body);
  });
}

/** Sends raw bytes and returns the status line and body of the answer. */
function sendRaw(url: string, bytes: string): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), type: /^content-type: (.*)$/im.exec(head)?.[1], body });
    });
  });
}

const problemOf = (answer: Answer): Record<string, unknown> => JSON.parse(answer.body) as Record<string, unknown>;

/**
 * A server a config under test gets besides the template's: it spools request bodies to disk,
 * which no route of the template does, to prove the main config's workers can write its temp paths.
 */
const spoolingServer = (port: number): string => `
server {
    listen 127.0.0.1:${port};
    client_body_buffer_size 1k;
    proxy_request_buffering on;
    location / {
        proxy_pass http://trellis_authorization;
    }
}
`;

type Gateway = RunningGateway & { spoolBase: string };

let dir = '';
let webui = '';
const privateDirs: string[] = [];

/** A directory only its owner may enter, as `.trellis/` is. */
async function privateDir(): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'trellis-adm-gateway-private-'));
  privateDirs.push(path);
  return path;
}

let ports = {} as Record<ServiceName, number>;
const down: ServiceName = 'studio';
const servers: Server[] = [];

async function localSettings(stateDir: string): Promise<LocalSettings> {
  return { ...localSettingsFromEnv({}), paths: statePaths(stateDir), gatewayPort: await freePort(), servicePorts: ports, webuiDist: webui };
}

/** `make up`'s gateway, with its state (and so its temp paths) under `stateDir`. */
async function startLocal(stateDir: string): Promise<Gateway> {
  const spoolPort = await freePort();
  return { ...(await startLocalGateway(await localSettings(stateDir), spoolingServer(spoolPort))), spoolBase: `http://127.0.0.1:${spoolPort}` };
}

/** The image's gateway; as in the image, its work directory is its own, under a /tmp everyone may enter. */
async function startImage(workRoot: string): Promise<Gateway> {
  const spoolPort = await freePort();
  const vars = localGatewayVars(await localSettings(join(workRoot, 'unused-state')), webui);
  return { ...(await startImageGateway(vars, workRoot, spoolingServer(spoolPort))), spoolBase: `http://127.0.0.1:${spoolPort}` };
}

/**
 * Every way the gateway runs. Run as root, nginx's workers are another user: `make up` under a
 * private state directory (as `.trellis/` is) keeps them root, under one that others may enter
 * they are nobody; the image's entry point leaves them to nginx (nobody as root, else itself).
 */
const flavours: [string, () => Promise<Gateway>][] = [
  ['make up, private state directory', async () => startLocal(join(await privateDir(), 'state'))],
  ['make up, state directory others may enter', async () => startLocal(join(dir, 'state'))],
  ['the image entry point (compose, Kubernetes)', async () => startImage(join(dir, 'image'))],
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trellis-adm-gateway-'));
  await chmod(dir, 0o755);
  webui = join(dir, 'webui');
  await mkdir(join(webui, 'assets'), { recursive: true });
  await writeFile(join(webui, 'index.html'), '<!doctype html><title>Trellis UI</title>');
  await writeFile(join(webui, 'assets', 'app-1234.js'), 'console.log("app");');
  ports = Object.fromEntries(await Promise.all(SERVICES.map(async (s) => [s.name, await freePort()] as const))) as Record<ServiceName, number>;
  for (const service of SERVICES) if (service.name !== down) servers.push(await echoServer(service.name, ports[service.name]));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await Promise.all([dir, ...privateDirs].map((path) => rm(path, { recursive: true, force: true })));
});

describe('the gateway (nginx with infra/gateway/nginx.conf.template)', () => {
  let gateway: Gateway;
  const get = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${gateway.base}${path}`, { redirect: 'manual', ...init });

  beforeAll(async () => {
    gateway = await startLocal(join(dir, 'routes-state'));
  });

  afterAll(async () => gateway?.stop());

  it.each([
    ['/authorization/healthz', 'authorization'],
    ['/repository/sources?page=2', 'repository'],
    ['/builder/builds/1/logs', 'action-builder'],
    ['/runner/runs', 'runner'],
    ['/user-api/my-project/resize?x=1', 'runner'],
  ])('routes %s to %s with the path unchanged', async (path, service) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    const echo = (await response.json()) as Echo;
    expect(echo.service).toBe(service);
    expect(echo.url).toBe(path);
  });

  it('passes a sane X-Request-Id through, once, and makes one when there is none or a bad one', async () => {
    const given = await get('/runner/runs', { headers: { 'x-request-id': 'req-42.abc' } });
    expect(((await given.json()) as Echo).headers['x-request-id']).toBe('req-42.abc');
    expect(given.headers.get('x-request-id')).toBe('req-42.abc');

    const none = await get('/runner/runs');
    const made = ((await none.json()) as Echo).headers['x-request-id'];
    expect(made).toMatch(/^[0-9a-f]{32}$/);
    expect(none.headers.get('x-request-id')).toBe(made);

    const bad = await get('/runner/runs', { headers: { 'x-request-id': 'a"b{c}'.repeat(40) } });
    expect(((await bad.json()) as Echo).headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('sets the forwarding headers and keeps the Host, method and body', async () => {
    const response = await get('/repository/sources', { method: 'POST', body: '{"url":"x"}', headers: { 'content-type': 'application/json' } });
    const echo = (await response.json()) as Echo;
    const host = new URL(gateway.base).host;
    expect(echo.method).toBe('POST');
    expect(echo.body).toBe('{"url":"x"}');
    expect(echo.headers).toMatchObject({ host, 'x-forwarded-host': host, 'x-forwarded-proto': 'http', 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1' });
  });

  it('answers 404 as a problem for a path no service serves, and for a missing asset', async () => {
    for (const path of ['/nothing/here', '/app/assets/missing.js']) {
      const response = await get(path, { headers: { 'x-request-id': 'nf-1' } });
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toBe('application/problem+json');
      expect(await response.json(), path).toEqual({
        type: 'https://trellis.dev/problems/route_not_found', title: 'Not found', status: 404, code: 'route_not_found',
        detail: expect.any(String), instance: path, request_id: 'nf-1',
      });
    }
  });

  it('answers 405 as a problem for a write to the web UI', async () => {
    const response = await get('/app/index.html', { method: 'POST', body: 'x' });
    expect(response.status).toBe(405);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 405, code: 'method_not_allowed' });
  });

  it('serves the web UI under /app/ with a fallback to index.html for its own routes', async () => {
    const root = await get('/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/app/');
    expect((await get('/app')).headers.get('location')).toBe('/app/');

    for (const path of ['/app/', '/app/index.html', '/app/projects/p1/workflows/w1']) {
      const page = await get(path);
      expect(page.status, path).toBe(200);
      expect(await page.text()).toContain('<title>Trellis UI</title>');
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    }
    const asset = await get('/app/assets/app-1234.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
  });

  it('renders strictly: a placeholder without a value is an error', async () => {
    const template = await readFile(gatewayTemplatePath(), 'utf8');
    expect(() => renderTemplate(template, { TRELLIS_GATEWAY_LISTEN: '8080' })).toThrow(/no value for TRELLIS_AUTHORIZATION_UPSTREAM/);
  });
});

describe('the local gateway workers, run as root', () => {
  it('drop to nobody only when nobody can reach the web UI and the temp directories', async () => {
    const open = await localSettings(join(dir, 'state'));
    const closed = await localSettings(join(await privateDir(), 'state'));
    await mkdir(gatewayTempDir(open), { recursive: true });
    await mkdir(gatewayTempDir(closed), { recursive: true });
    expect(gatewayWorkerUser(false, webui, gatewayTempDir(open))).toBeUndefined();
    expect(gatewayWorkerUser(true, webui, gatewayTempDir(open))).toMatch(/^nobody( nogroup)?$/);
    expect(gatewayWorkerUser(true, webui, gatewayTempDir(closed))).toBe('root');
    expect(gatewayWorkerUser(true, join(closed.paths.dir, '..'), gatewayTempDir(open))).toBe('root');
  });
});

describe.each(flavours)('request bodies through the gateway: %s', (_name, start) => {
  let gateway: Gateway;

  beforeAll(async () => {
    gateway = await start();
  });

  afterAll(async () => gateway?.stop());

  it('passes a 100 KB body to the service whole', async () => {
    const body = JSON.stringify({ username: 'admin', password: 'p'.repeat(100 * KB) });
    const answer = await send(`${gateway.base}/authorization/login`, { headers: { 'content-type': 'application/json' }, body });
    expect(answer.status, answer.body.slice(0, 300)).toBe(200);
    const echo = JSON.parse(answer.body) as Echo;
    expect(echo.url).toBe('/authorization/login');
    expect(echo.body).toBe(body);
  });

  it("relays the service's own 413 for 20 MB, which it sends before reading the body", async () => {
    const answer = await send(`${gateway.base}/authorization/login`, { headers: { 'content-type': 'application/json' }, body: Buffer.alloc(20 * MB, 'a') });
    expect(answer.status).toBe(413);
    expect(answer.type).toBe('application/problem+json');
    expect(problemOf(answer)).toMatchObject({ code: 'payload_too_large', detail: 'said by the service' });
  });

  it("relays the service's own 413 for 20 MB sent chunked, without a length", async () => {
    const chunk = Buffer.alloc(MB, 'a');
    const answer = await send(`${gateway.base}/repository/sources`, {
      headers: { 'transfer-encoding': 'chunked' },
      parts: async (req) => {
        for (let i = 0; i < 20; i++) if (!req.write(chunk)) await new Promise((resolve) => req.once('drain', resolve));
      },
    });
    expect(answer.status).toBe(413);
    expect(problemOf(answer)).toMatchObject({ code: 'payload_too_large', detail: 'said by the service' });
  });

  it('streams a body to the service as it arrives, not once it is whole', async () => {
    const started = new Promise<void>((resolve) => bodyStarted.set('stream-1', resolve));
    const half = Buffer.alloc(64 * KB, 'b');
    const answer = await send(`${gateway.base}/runner/uploads`, {
      headers: { 'x-request-id': 'stream-1', 'content-length': String(2 * half.length) },
      parts: async (req) => {
        req.write(half);
        // The service sees the first half while the caller still holds the second.
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the service saw nothing before the whole body was sent: the gateway buffers bodies')), 5_000)));
        await Promise.race([started, late]).finally(() => clearTimeout(timer));
        req.write(half);
      },
    });
    expect(answer.status).toBe(200);
    expect((JSON.parse(answer.body) as Echo).body).toHaveLength(2 * half.length);
  });

  it('answers its own 413 as a problem for a body over its ceiling (1 GiB)', async () => {
    const answer = await new Promise<{ status: number; type: string | undefined; body: string }>((resolve, reject) => {
      const req = request(`${gateway.base}/repository/upload`, { method: 'POST', headers: { 'content-length': String(2 * 1024 * MB) } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body });
          req.destroy();
        });
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(answer.status).toBe(413);
    expect(answer.type).toBe('application/problem+json');
    expect(problemOf(answer)).toMatchObject({ status: 413, code: 'payload_too_large', title: 'Request body too large', type: 'https://trellis.dev/problems/payload_too_large' });
  });

  it('answers 502 as a problem naming the service when it is stopped', async () => {
    const answer = await send(`${gateway.base}/studio/workflows/import`, { headers: { 'x-request-id': 'down-1' }, body: Buffer.alloc(100 * KB, 'y') });
    expect(answer.status).toBe(502);
    expect(answer.type).toBe('application/problem+json');
    expect(problemOf(answer)).toEqual({
      type: 'https://trellis.dev/problems/service_unavailable', title: 'Service unavailable', status: 502, code: 'service_unavailable',
      detail: expect.stringContaining('studio'), instance: '/studio/workflows/import', request_id: 'down-1',
    });
  });

  it('answers a request it cannot read with a problem, not an HTML page', async () => {
    const badLength = await sendRaw(gateway.base, 'POST /authorization/login HTTP/1.1\r\nHost: x\r\nContent-Length: many\r\n\r\n');
    const hugeHeader = await sendRaw(gateway.base, `GET /authorization/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * KB)}\r\n\r\n`);
    // Chunked and a length over the ceiling (found by the reliability suite's fuzzing): the problem
    // page must not itself be refused for the body's size, or nginx answers its HTML page.
    const chunkedTooLong = await sendRaw(gateway.base, 'POST /authorization/logout HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 1073741825\r\n\r\n{"a":');
    for (const answer of [badLength, hugeHeader, chunkedTooLong]) {
      expect(answer.status).toBe(400);
      expect(answer.type).toBe('application/problem+json');
      expect(problemOf(answer)).toMatchObject({ status: 400, code: 'bad_request' });
    }
  });

  it('could spool a body to disk: its workers can write its temp paths', async () => {
    const body = 'z'.repeat(100 * KB);
    const answer = await send(`${gateway.spoolBase}/authorization/login`, { body });
    expect(answer.status, answer.body.slice(0, 300)).toBe(200);
    expect((JSON.parse(answer.body) as Echo).body).toBe(body);
  });
});
