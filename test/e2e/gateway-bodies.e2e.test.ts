import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../adm/test/fixtures.js';
import { startImageGateway, startLocalGateway, type RunningGateway } from '../../adm/test/gateway-instances.js';
import { localGatewayVars } from '../../adm/src/local/gateway.js';
import { localSettingsFromEnv, type LocalSettings } from '../../adm/src/local/settings.js';
import { statePaths } from '../../adm/src/paths.js';
import { eventually, SERVICES, type ServiceName } from './harness.js';
import { ADMIN_PASSWORD, startPlatform, type Platform } from './platform.js';

/**
 * Request bodies of every size through the real gateway, both as `make up` runs it and as the
 * image (compose, Kubernetes) does, in front of the five real services (TRELLIS_BODY_LIMIT 1mb).
 */
type Answer = { status: number; type: string | undefined; body: Record<string, unknown> };

const KB = 1024;
const MB = 1024 * KB;

function post(url: string, body: Buffer | string | Buffer[], headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: JSON.parse(text) as Record<string, unknown> });
        } catch {
          reject(new Error(`${res.statusCode} ${res.headers['content-type']}: not JSON: ${text.slice(0, 300)}`));
        }
      });
    });
    req.on('error', reject);
    if (!Array.isArray(body)) return void req.end(body);
    // In parts, chunked: the service learns the size only while reading.
    void (async () => {
      for (const part of body) if (!req.write(part)) await new Promise((drained) => req.once('drain', drained));
      req.end();
    })();
  });
}

let platform: Platform;
let dir = '';
let state = '';
const gateways: [string, RunningGateway][] = [];

beforeAll(async () => {
  platform = await startPlatform();
  dir = await mkdtemp(join(tmpdir(), 'trellis-e2e-gateway-'));
  await chmod(dir, 0o755);
  const webui = join(dir, 'webui');
  await mkdir(webui);
  const servicePorts = Object.fromEntries(SERVICES.map(({ name }) => [name, Number(new URL(platform.running[name].url).port)])) as Record<ServiceName, number>;
  const settings = async (stateDir: string): Promise<LocalSettings> =>
    ({ ...localSettingsFromEnv({}), paths: statePaths(stateDir), gatewayPort: await freePort(), servicePorts, webuiDist: webui });
  // `.trellis/` is private to its owner: the state directory here too.
  state = await mkdtemp(join(tmpdir(), 'trellis-e2e-gateway-state-'));
  gateways.push(['make up', await startLocalGateway(await settings(join(state, 'state')))]);
  gateways.push(['the image', await startImageGateway(localGatewayVars(await settings(join(dir, 'unused')), webui), join(dir, 'image'))]);
}, 120_000);

afterAll(async () => {
  await Promise.all(gateways.map(([, gateway]) => gateway.stop()));
  await platform?.stop();
  await Promise.all([dir, state].filter(Boolean).map((path) => rm(path, { recursive: true, force: true })));
});

describe('request bodies through the gateway to the real services', () => {
  it('gives a 100 KB login body to authorization, which answers 400 itself', async () => {
    const body = JSON.stringify({ username: 'admin', password: 'x'.repeat(100 * KB) });
    for (const [name, gateway] of gateways) {
      const answer = await post(`${gateway.base}/authorization/login`, body);
      expect([name, answer.status, answer.type]).toEqual([name, 400, 'application/problem+json']);
      expect(answer.body, name).toMatchObject({ code: 'invalid_request', instance: '/authorization/login' });
    }
  });

  it("relays the service's 413 problem for 20 MB, sized up front or chunked", async () => {
    for (const [name, gateway] of gateways) {
      for (const body of [Buffer.alloc(20 * MB, 'a'), Array.from({ length: 20 }, () => Buffer.alloc(MB, 'a'))]) {
        const answer = await post(`${gateway.base}/authorization/login`, body);
        expect([name, answer.status, answer.type]).toEqual([name, 413, 'application/problem+json']);
        // The service's own problem (the gateway's would name its 1 GiB ceiling).
        expect(answer.body, name).toMatchObject({ code: 'payload_too_large', detail: 'The request body exceeds the size limit.', instance: '/authorization/login' });
      }
    }
  });

  it('streams a 50 MiB file, sent in chunks, through the gateway to studio, which stores it whole', async () => {
    const first = gateways[0]?.[1];
    if (!first) throw new Error('no gateway');
    const json = async (method: string, path: string, body?: unknown, token?: string) => {
      const response = await fetch(`${first.base}${path}`, {
        method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const login = async (projectId?: string) =>
      String((await json('POST', '/authorization/login', { username: 'admin', password: ADMIN_PASSWORD, ...(projectId ? { project_id: projectId } : {}) })).body['access_token']);
    const project = String((await json('POST', '/authorization/projects', { name: 'gateway-uploads' }, await login())).body['id']);
    const token = await login(project);
    await eventually(() => json('GET', '/studio/project', undefined, token), (answer) => answer.status === 200);

    const bytes = randomBytes(50 * MB);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    for (const [name, gateway] of gateways) {
      const parts = Array.from({ length: 50 }, (_, i) => bytes.subarray(i * MB, (i + 1) * MB));
      const answer = await post(`${gateway.base}/studio/files?name=big-${name.replace(' ', '-')}.bin`, parts, { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` });
      expect([name, answer.status]).toEqual([name, 201]);
      expect(answer.body, name).toMatchObject({ name: `big-${name.replace(' ', '-')}.bin`, size: 50 * MB, sha256, content_type: 'application/octet-stream' });
      const stored = await platform.store.store.client.statObject(platform.store.config.bucket, `studio/projects/${project}/files/${String(answer.body['id'])}`);
      expect(stored.size, name).toBe(50 * MB);
    }
  }, 120_000);

  it('answers 502 problem+json with a code when a service is stopped', async () => {
    await platform.running.studio.stop();
    for (const [name, gateway] of gateways) {
      const answer = await post(`${gateway.base}/studio/workflows`, Buffer.alloc(100 * KB, 'w'), { 'x-request-id': `stopped-${name.replace(' ', '-')}` });
      expect([name, answer.status, answer.type]).toEqual([name, 502, 'application/problem+json']);
      expect(answer.body, name).toMatchObject({ status: 502, code: 'service_unavailable', detail: expect.stringContaining('studio'), request_id: `stopped-${name.replace(' ', '-')}` });
    }
  });
});
