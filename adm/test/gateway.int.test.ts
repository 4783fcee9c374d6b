import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, type ServiceName } from '../src/catalog.js';
import { gatewayTemplatePath, prepareLocalGateway, renderTemplate } from '../src/local/gateway.js';
import { killGroup } from '../src/local/processes.js';
import { localSettingsFromEnv, type LocalSettings } from '../src/local/settings.js';
import { statePaths } from '../src/paths.js';
import { eventually, freePort } from './fixtures.js';

type Echo = { service: string; method: string; url: string; headers: Record<string, string>; body: string };

/** A stand-in service that answers with what it received. */
function echoServer(service: ServiceName, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-request-id', 'set-by-the-service');
      res.end(JSON.stringify({ service, method: req.method, url: req.url, headers: req.headers, body }));
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

const down: ServiceName = 'studio';
let dir = '';
let base = '';
let nginx: ChildProcess;
const servers: Server[] = [];

async function get(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${base}${path}`, { redirect: 'manual', ...init });
}

describe('the gateway (nginx with infra/gateway/nginx.conf.template)', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trellis-adm-gateway-'));
    const webui = join(dir, 'webui');
    await mkdir(join(webui, 'assets'), { recursive: true });
    await writeFile(join(webui, 'index.html'), '<!doctype html><title>Trellis UI</title>');
    await writeFile(join(webui, 'assets', 'app-1234.js'), 'console.log("app");');
    const ports = Object.fromEntries(await Promise.all(SERVICES.map(async (s) => [s.name, await freePort()] as const))) as Record<ServiceName, number>;
    const settings: LocalSettings = {
      ...localSettingsFromEnv({}),
      paths: statePaths(join(dir, 'state')),
      gatewayPort: await freePort(),
      servicePorts: ports,
      webuiDist: webui,
    };
    for (const service of SERVICES) if (service.name !== down) servers.push(await echoServer(service.name, ports[service.name]));
    const command = await prepareLocalGateway(settings);
    nginx = spawn(command.command, command.args, { detached: true, stdio: 'ignore' });
    base = `http://127.0.0.1:${settings.gatewayPort}`;
    await eventually(async () => ((await get('/healthz').catch(() => undefined))?.ok ? true : undefined), 10_000, 'nginx');
  });

  afterAll(async () => {
    if (nginx?.pid) {
      const exited = new Promise((resolve) => nginx.once('exit', resolve));
      killGroup(nginx.pid, 'SIGTERM');
      await exited;
    }
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await rm(dir, { recursive: true, force: true });
  });

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
    const host = new URL(base).host;
    expect(echo.method).toBe('POST');
    expect(echo.body).toBe('{"url":"x"}');
    expect(echo.headers).toMatchObject({ host, 'x-forwarded-host': host, 'x-forwarded-proto': 'http', 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1' });
  });

  it('answers 502 as application/problem+json naming the service when it is down', async () => {
    const response = await get('/studio/workflows', { headers: { 'x-request-id': 'down-1' } });
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('x-request-id')).toBe('down-1');
    expect(await response.json()).toMatchObject({ status: 502, code: 'service_unavailable', detail: expect.stringContaining('studio'), request_id: 'down-1' });
  });

  it('answers 404 as a problem for a path no service serves', async () => {
    const response = await get('/nothing/here');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ code: 'route_not_found' });
  });

  it('answers 413 as a problem for a body over the limit', async () => {
    const status = await new Promise<{ status: number; type: string | undefined }>((resolve, reject) => {
      const req = request(`${base}/repository/upload`, { method: 'POST', headers: { 'content-length': String(200 * 1024 * 1024) } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] });
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(status).toEqual({ status: 413, type: 'application/problem+json' });
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
    expect((await get('/app/assets/missing.js')).status).toBe(404);
  });

  it('renders strictly: a placeholder without a value is an error', async () => {
    const template = await readFile(gatewayTemplatePath(), 'utf8');
    expect(() => renderTemplate(template, { TRELLIS_GATEWAY_LISTEN: '8080' })).toThrow(/no value for TRELLIS_AUTHORIZATION_UPSTREAM/);
  });
});
