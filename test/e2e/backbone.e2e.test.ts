import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userInfo } from 'node:os';
import { startTcpProxy, type TcpProxy } from '@trellis/platform/testing/tcp-proxy';
import { CONFIG_ERROR_EXIT_CODE } from '@trellis/platform/main-guard';
import {
  SERVICES, createEmptyDatabase, dropDatabase, entry, eventually, query, runToEnd, type ServiceName,
} from './harness.js';
import { startPlatform, type Platform } from './platform.js';

let platform: Platform;
let pgProxy: TcpProxy;
let amqpProxy: TcpProxy;

/** Studio reaches Postgres and RabbitMQ through proxies the test can cut. */
function throughProxies(name: ServiceName): Record<string, string> {
  if (name !== 'studio') return {};
  const database = new URL(`postgres://${userInfo().username}@127.0.0.1:${pgProxy.port}`);
  database.pathname = new URL(platform.databaseUrls.studio).pathname;
  const broker = new URL(platform.vhost.url);
  broker.port = String(amqpProxy.port);
  return { TRELLIS_DATABASE_URL: database.toString(), TRELLIS_AMQP_URL: broker.toString() };
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  [pgProxy, amqpProxy] = await Promise.all([startTcpProxy({ host: '127.0.0.1', port: 5432 }), startTcpProxy({ host: '127.0.0.1', port: 5672 })]);
  platform = await startPlatform();
  await platform.restart('studio', throughProxies('studio'));
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  await Promise.all([pgProxy?.close(), amqpProxy?.close()]);
});

describe('the backbone, end to end', () => {
  it('serves health, readiness, metrics and OpenAPI on every service prefix', async () => {
    for (const { name, prefix } of SERVICES) {
      const base = `${platform.running[name].url}${prefix}`;
      expect(await getJson(`${base}/healthz`)).toEqual({ status: 200, body: { status: 'ok', service: name, version: '0.1.0' } });
      const ready = await eventually(() => getJson(`${base}/readyz`), (answer) => answer.status === 200);
      expect(Object.keys((ready.body as { checks: object }).checks)).toEqual(
        name === 'authorization' ? ['database', 'broker'] : ['database', 'broker', 'object store'],
      );
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('http_request_duration_seconds');
      const { body: doc } = await getJson(`${base}/openapi.json`);
      expect(Object.keys((doc as { paths: object }).paths)).toContain(`${prefix}/readyz`);
    }
  });

  it('announces the default project from authorization to studio, repository and runner, each recording it once', async () => {
    const [project] = await query<{ id: string; name: string }>(platform.databaseUrls.authorization, 'select id, name from projects');
    expect(project?.name).toBe('default');
    for (const consumer of ['studio', 'repository', 'runner'] as const) {
      const rows = await eventually(() => query<{ id: string; name: string }>(platform.databaseUrls[consumer], 'select id, name from projects'), (list) => list.length === 1);
      expect(rows).toEqual([{ id: project?.id, name: 'default' }]);
    }
    const [admin] = await query<{ username: string; password_hash: string }>(platform.databaseUrls.authorization, 'select username, password_hash from users');
    expect(admin?.username).toBe('admin');
    expect(admin?.password_hash).toMatch(/^scrypt\$/);
    expect(admin?.password_hash).not.toContain('end-to-end admin password');
  });

  it('does not announce the project again when authorization restarts', async () => {
    const restarted = await platform.restart('authorization', { TRELLIS_ADMIN_PASSWORD: '' });
    expect((await getJson(`${restarted.url}/authorization/healthz`)).status).toBe(200);
    expect(await query(platform.databaseUrls.authorization, 'select message_type from outbox')).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const consumer of ['studio', 'repository', 'runner'] as const) expect(await query(platform.databaseUrls[consumer], 'select id from projects')).toHaveLength(1);
  });

  it.each([
    ['PostgreSQL', () => pgProxy, 'database'],
    ['RabbitMQ', () => amqpProxy, 'broker'],
  ] as const)('turns not ready while %s is unreachable and ready again when it returns, without a restart', async (_name, proxy, check) => {
    const readyz = `${platform.running.studio.url}/studio/readyz`;
    const pid = platform.running.studio.child.pid;
    await proxy().cut();
    const down = await eventually(() => getJson(readyz), (answer) => answer.status === 503);
    expect((down.body as { checks: Record<string, string> }).checks[check]).not.toBe('ok');
    expect((await getJson(`${platform.running.studio.url}/studio/healthz`)).status).toBe(200);
    await proxy().restore();
    await eventually(() => getJson(readyz), (answer) => answer.status === 200, 30_000);
    expect(platform.running.studio.child.pid).toBe(pid);
    expect(platform.running.studio.child.exitCode).toBeNull();
  }, 60_000);

  it('refuses to start with a clear message when its configuration is wrong', async () => {
    const result = await runToEnd(entry('studio', 'main'), { TRELLIS_DATABASE_URL: 'mysql://nope', TRELLIS_HTTP_PORT: 'eighty' });
    expect(result.code).toBe(CONFIG_ERROR_EXIT_CODE); // not restarted by the supervisor
    expect(result.output).toContain('Invalid configuration');
    expect(result.output).toMatch(/TRELLIS_DATABASE_URL: expected a postgres:\/\/ URL/);
    expect(result.output).toMatch(/TRELLIS_AMQP_URL/);
    expect(result.output).toMatch(/TRELLIS_HTTP_PORT/);
  });

  it('refuses to bootstrap a new instance without an admin password', async () => {
    const name = `trellis_e2e_fresh_${Date.now()}`;
    const url = await createEmptyDatabase(name);
    try {
      expect((await runToEnd(entry('authorization', 'migrate'), { TRELLIS_DATABASE_URL: url, TRELLIS_AMQP_URL: platform.vhost.url })).code).toBe(0);
      const result = await runToEnd(entry('authorization', 'main'), { ...platform.envFor('authorization'), TRELLIS_DATABASE_URL: url, TRELLIS_ADMIN_PASSWORD: '', TRELLIS_HTTP_PORT: '0' });
      expect(result.code).toBe(CONFIG_ERROR_EXIT_CODE); // not restarted by the supervisor
      expect(result.output).toContain('TRELLIS_ADMIN_PASSWORD must be set the first time Trellis starts');
    } finally {
      await dropDatabase(name);
    }
  });

  it('stops gracefully on SIGTERM', async () => {
    for (const { name } of SERVICES) {
      expect(await platform.running[name].stop()).toBe(0);
      expect(platform.running[name].output()).toContain('"message":"shutting down"');
    }
  });
});
