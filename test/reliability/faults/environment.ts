import { readFile, chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testAdminUrl } from '@trellis/platform/testing/postgres';
import { testAmqpBaseUrl } from '@trellis/platform/testing/rabbitmq';
import { startTcpProxy, type TcpProxy } from '@trellis/platform/testing/tcp-proxy';
import { freePort } from '../../../adm/test/fixtures.js';
import { startLocalGateway, type RunningGateway } from '../../../adm/test/gateway-instances.js';
import { localSettingsFromEnv, type LocalSettings } from '../../../adm/src/local/settings.js';
import { statePaths } from '../../../adm/src/paths.js';
import { SERVICES, type ServiceName } from '../../e2e/harness.js';
import { ADMIN_PASSWORD, startPlatform, type Platform } from '../../e2e/platform.js';
import { startObjectStoreProcess, type ObjectStoreProcess } from '../support/object-store-process.js';
import { until } from '../support/until.js';

/** Short, so a runner started again takes the killed one's runs over within seconds. */
const RUNNER_LEASE_MS = 3000;

/**
 * The five services, the gateway and the object store as processes this suite may kill -9 and
 * start again on the same ports, every service reaching PostgreSQL and RabbitMQ through a TCP
 * proxy of the test's, so connections can be cut without stopping the servers.
 */
export type FaultEnvironment = {
  platform: Platform;
  objectStore: ObjectStoreProcess;
  proxies: { postgres: TcpProxy; rabbitmq: TcpProxy };
  gatewayBase: string;
  gatewayPid: () => Promise<number>;
  startGateway: () => Promise<void>;
  /** Every service answers its readiness probe (its database and broker) and the gateway answers. */
  ready: (timeoutMs?: number) => Promise<void>;
  adminToken: () => Promise<string>;
  stop: () => Promise<void>;
};

/** The same URL on the proxy's loopback port (over TCP: a socket directory in `?host=` goes). */
function throughProxy(url: string, port: number): string {
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  proxied.searchParams.delete('host');
  return proxied.toString();
}

/** A proxy to the server of `url` over TCP on loopback (a local socket URL means the same server's TCP port). */
async function proxyTo(url: string, defaultPort: number): Promise<TcpProxy> {
  const target = new URL(url);
  const host = !target.hostname || target.hostname === 'localhost' ? '127.0.0.1' : target.hostname;
  return startTcpProxy({ host, port: Number(target.port || defaultPort) });
}

const prefixOf = (name: ServiceName) => SERVICES.find((service) => service.name === name)?.prefix ?? `/${name}`;

async function gatewaySettings(platform: Platform): Promise<{ settings: LocalSettings; state: string }> {
  const state = await mkdtemp(join(tmpdir(), 'trellis-reliability-gateway-'));
  await chmod(state, 0o755);
  const webuiDist = join(state, 'webui');
  await mkdir(webuiDist);
  const servicePorts = Object.fromEntries(SERVICES.map(({ name }) => [name, Number(new URL(platform.running[name].url).port)])) as Record<ServiceName, number>;
  return { settings: { ...localSettingsFromEnv({}), paths: statePaths(join(state, 'state')), gatewayPort: await freePort(), servicePorts, webuiDist }, state };
}

export async function startFaultEnvironment(): Promise<FaultEnvironment> {
  const proxies = { postgres: await proxyTo(testAdminUrl(), 5432), rabbitmq: await proxyTo(testAmqpBaseUrl(), 5672) };
  const objectStore = await startObjectStoreProcess();
  // The object store is a process of ours: it must not outlive a start that fails (the platform closes it once started).
  const platform = await startPlatform({
    store: objectStore,
    overrides: (name, base): Record<string, string> => ({
      TRELLIS_DATABASE_URL: throughProxy(base['TRELLIS_DATABASE_URL'] ?? '', proxies.postgres.port),
      TRELLIS_AMQP_URL: throughProxy(base['TRELLIS_AMQP_URL'] ?? '', proxies.rabbitmq.port),
      // PostgreSQL's 100 connections are shared: the runner carries the load, the others little.
      TRELLIS_DATABASE_POOL_SIZE: name === 'runner' ? '8' : '3',
      // A handler failing while PostgreSQL restarts must be retried as in production, not dead-lettered
      // after the e2e platform's 300 ms; the 36 s of these three delays fit in the final wait.
      TRELLIS_MESSAGE_RETRY_DELAYS_MS: '1000,5000,30000',
      ...(name === 'runner' ? { TRELLIS_RUNNER_LEASE_MS: String(RUNNER_LEASE_MS) } : {}),
    }),
  }).catch(async (error: unknown) => {
    await objectStore.close();
    await Promise.all([proxies.postgres.close(), proxies.rabbitmq.close()]);
    throw error;
  });
  const { settings, state } = await gatewaySettings(platform);
  let gateway: RunningGateway = await startLocalGateway(settings).catch(async (error: unknown) => {
    await platform.stop();
    await Promise.all([proxies.postgres.close(), proxies.rabbitmq.close()]);
    throw error;
  });

  const ready = async (timeoutMs = 120_000): Promise<void> => {
    await Promise.all(SERVICES.map(({ name }) => until(
      () => fetch(`${platform.running[name].url}${prefixOf(name)}/readyz`).then((answer) => answer.status),
      (status) => status === 200, { timeoutMs })));
    await until(() => fetch(`${gateway.base}/healthz`).then((answer) => answer.status), (status) => status === 200, { timeoutMs });
  };

  return {
    platform, objectStore, proxies,
    gatewayBase: gateway.base,
    gatewayPid: async () => Number((await readFile(join(settings.paths.nginxDir, 'nginx.pid'), 'utf8')).trim()),
    // The same files and port: a stop of the old one (its process group gone) does nothing.
    startGateway: async () => {
      gateway = await startLocalGateway(settings);
    },
    ready,
    adminToken: async () => {
      const answer = await fetch(`${gateway.base}/authorization/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      });
      const body = (await answer.json()) as { access_token?: string };
      if (!body.access_token) throw new Error(`login answered ${answer.status}`);
      return body.access_token;
    },
    stop: async () => {
      await gateway.stop();
      await platform.stop();
      await proxies.postgres.close();
      await proxies.rabbitmq.close();
      await rm(state, { recursive: true, force: true });
    },
  };
}
