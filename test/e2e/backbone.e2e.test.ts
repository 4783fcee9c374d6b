import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestObjectStore, type TestObjectStore } from '@trellis/platform/testing/object-store';
import { createTestVhost, type TestVhost } from '@trellis/platform/testing/rabbitmq';
import { startTcpProxy, type TcpProxy } from '@trellis/platform/testing/tcp-proxy';
import {
  SERVICES, createEmptyDatabase, dropDatabase, entry, eventually, query, runToEnd, startService, type RunningService, type ServiceName,
} from './harness.js';

const suffix = randomBytes(4).toString('hex');
const databases = Object.fromEntries(SERVICES.map(({ name }) => [name, `trellis_e2e_${name.replace('-', '_')}_${suffix}`])) as Record<ServiceName, string>;
const urls = {} as Record<ServiceName, string>;
const running = {} as Record<ServiceName, RunningService>;
let vhost: TestVhost;
let store: TestObjectStore;
let pgProxy: TcpProxy;
let amqpProxy: TcpProxy;

function envFor(name: ServiceName, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    TRELLIS_DATABASE_URL: urls[name],
    TRELLIS_AMQP_URL: vhost.url,
    TRELLIS_S3_ENDPOINT: store.config.endpoint,
    TRELLIS_S3_ACCESS_KEY: store.config.accessKey,
    TRELLIS_S3_SECRET_KEY: store.config.secretKey,
    TRELLIS_S3_BUCKET: store.config.bucket,
    TRELLIS_ADMIN_PASSWORD: 'end-to-end admin password',
    TRELLIS_MESSAGE_RETRY_DELAYS_MS: '100,200',
    ...overrides,
  };
}

/** Studio reaches Postgres and RabbitMQ through proxies the test can cut. */
function studioEnv(): Record<string, string> {
  const database = new URL(urls.studio.replace('host=/var/run/postgresql', 'host=127.0.0.1'));
  database.searchParams.delete('host');
  database.hostname = '127.0.0.1';
  database.port = String(pgProxy.port);
  const broker = new URL(vhost.url);
  broker.port = String(amqpProxy.port);
  return envFor('studio', { TRELLIS_DATABASE_URL: database.toString(), TRELLIS_AMQP_URL: broker.toString() });
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  [vhost, store] = await Promise.all([createTestVhost(), startTestObjectStore()]);
  [pgProxy, amqpProxy] = await Promise.all([startTcpProxy({ host: '127.0.0.1', port: 5432 }), startTcpProxy({ host: '127.0.0.1', port: 5672 })]);
  // Migrate one after the other: exchanges must exist before the queues that bind to them.
  for (const { name } of SERVICES) {
    urls[name] = await createEmptyDatabase(databases[name]);
    // migrate also declares the service's exchange, queues and bindings: nothing is lost to start order.
    const migrated = await runToEnd(entry(name, 'migrate'), { TRELLIS_DATABASE_URL: urls[name], TRELLIS_AMQP_URL: vhost.url });
    if (migrated.code !== 0) throw new Error(`${name} migration failed:\n${migrated.output}`);
  }
  for (const { name } of SERVICES) running[name] = await startService(name, name === 'studio' ? studioEnv() : envFor(name));
}, 120_000);

afterAll(async () => {
  // TRELLIS_E2E_DUMP=1 prints each service's last output lines, to debug a failure.
  if (process.env["TRELLIS_E2E_DUMP"]) for (const [name, service] of Object.entries(running)) console.log(`== ${name}\n${service.output().slice(-3000)}`);
  await Promise.all(Object.values(running).map((service) => service.stop()));
  await Promise.all([vhost?.close(), store?.close(), pgProxy?.close(), amqpProxy?.close()]);
  await Promise.all(Object.values(databases).map(dropDatabase));
});

describe('the backbone, end to end', () => {
  it('serves health, readiness, metrics and OpenAPI on every service prefix', async () => {
    for (const { name, prefix } of SERVICES) {
      const base = `${running[name].url}${prefix}`;
      expect(await getJson(`${base}/healthz`)).toEqual({ status: 200, body: { status: 'ok', service: name, version: '0.1.0' } });
      const ready = await eventually(() => getJson(`${base}/readyz`), (answer) => answer.status === 200);
      expect(Object.keys((ready.body as { checks: object }).checks)).toEqual(
        ['authorization', 'studio'].includes(name) ? ['database', 'broker'] : ['database', 'broker', 'object store'],
      );
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('http_request_duration_seconds');
      const { body: doc } = await getJson(`${base}/openapi.json`);
      expect(Object.keys((doc as { paths: object }).paths)).toContain(`${prefix}/readyz`);
    }
  });

  it('announces the default project from authorization to studio, repository and runner, each recording it once', async () => {
    const [project] = await query<{ id: string; name: string }>(urls.authorization, 'select id, name from projects');
    expect(project?.name).toBe('default');
    for (const consumer of ['studio', 'repository', 'runner'] as const) {
      const rows = await eventually(() => query<{ id: string; name: string }>(urls[consumer], 'select id, name from projects'), (list) => list.length === 1);
      expect(rows).toEqual([{ id: project?.id, name: 'default' }]);
    }
    const [admin] = await query<{ username: string; password_hash: string }>(urls.authorization, 'select username, password_hash from users');
    expect(admin?.username).toBe('admin');
    expect(admin?.password_hash).toMatch(/^scrypt\$/);
    expect(admin?.password_hash).not.toContain('end-to-end admin password');
  });

  it('does not announce the project again when authorization restarts', async () => {
    expect(await running.authorization.stop()).toBe(0);
    running.authorization = await startService('authorization', envFor('authorization', { TRELLIS_ADMIN_PASSWORD: '' }));
    expect((await getJson(`${running.authorization.url}/authorization/healthz`)).status).toBe(200);
    expect(await query(urls.authorization, 'select message_type from outbox')).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const consumer of ['studio', 'repository', 'runner'] as const) expect(await query(urls[consumer], 'select id from projects')).toHaveLength(1);
  });

  it.each([
    ['PostgreSQL', () => pgProxy, 'database'],
    ['RabbitMQ', () => amqpProxy, 'broker'],
  ] as const)('turns not ready while %s is unreachable and ready again when it returns, without a restart', async (_name, proxy, check) => {
    const readyz = `${running.studio.url}/studio/readyz`;
    const pid = running.studio.child.pid;
    await proxy().cut();
    const down = await eventually(() => getJson(readyz), (answer) => answer.status === 503);
    expect((down.body as { checks: Record<string, string> }).checks[check]).not.toBe('ok');
    expect((await getJson(`${running.studio.url}/studio/healthz`)).status).toBe(200);
    await proxy().restore();
    await eventually(() => getJson(readyz), (answer) => answer.status === 200, 30_000);
    expect(running.studio.child.pid).toBe(pid);
    expect(running.studio.child.exitCode).toBeNull();
  }, 60_000);

  it('refuses to start with a clear message when its configuration is wrong', async () => {
    const result = await runToEnd(entry('studio', 'main'), { TRELLIS_DATABASE_URL: 'mysql://nope', TRELLIS_HTTP_PORT: 'eighty' });
    expect(result.code).toBe(1);
    expect(result.output).toContain('Invalid configuration');
    expect(result.output).toMatch(/TRELLIS_DATABASE_URL: expected a postgres:\/\/ URL/);
    expect(result.output).toMatch(/TRELLIS_AMQP_URL/);
    expect(result.output).toMatch(/TRELLIS_HTTP_PORT/);
  });

  it('refuses to bootstrap a new instance without an admin password', async () => {
    const name = `trellis_e2e_fresh_${suffix}`;
    const url = await createEmptyDatabase(name);
    try {
      expect((await runToEnd(entry('authorization', 'migrate'), { TRELLIS_DATABASE_URL: url, TRELLIS_AMQP_URL: vhost.url })).code).toBe(0);
      const result = await runToEnd(entry('authorization', 'main'), { ...envFor('authorization'), TRELLIS_DATABASE_URL: url, TRELLIS_ADMIN_PASSWORD: '', TRELLIS_HTTP_PORT: '0' });
      expect(result.code).toBe(1);
      expect(result.output).toContain('TRELLIS_ADMIN_PASSWORD must be set the first time Trellis starts');
    } finally {
      await dropDatabase(name);
    }
  });

  it('stops gracefully on SIGTERM', async () => {
    for (const { name } of SERVICES) {
      expect(await running[name].stop()).toBe(0);
      expect(running[name].output()).toContain('"message":"shutting down"');
    }
  });
});
