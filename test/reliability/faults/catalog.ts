import { execFileSync } from 'node:child_process';
import type { ServiceName } from '../../e2e/harness.js';
import { until } from '../support/until.js';
import { restartPostgres, restartRabbitmqApp, restartRabbitmqNode } from '../support/shared-servers.js';
import type { FaultEnvironment } from './environment.js';

/** A fault: `inject` does it and undoes it (a process killed is started again), resolving once it is undone. */
export type Fault = { name: string; inject: (env: FaultEnvironment) => Promise<void> };

/** How long a connection cut lasts: longer than a reconnect's first tries, shorter than a lease. */
const CUT_MS = 2000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // its group is gone already
  }
}

/** The runner's action processes: its children, each in a process group of its own. */
export function actionProcesses(env: FaultEnvironment): number[] {
  const runner = env.platform.running.runner.child.pid;
  if (!runner) return [];
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(runner)], { encoding: 'utf8' }).split('\n').map((line) => Number(line.trim())).filter((pid) => pid > 0);
  } catch {
    return []; // ps exits 1 when there is none
  }
}

/** kill -9, then the same service started again on its port (the gateway's upstream). */
function killService(name: ServiceName): Fault {
  return {
    name: `kill -9 ${name}`,
    inject: async (env) => {
      const service = env.platform.running[name];
      const port = new URL(service.url).port;
      // A runner's action processes end with it (their stdin closes); wait for that as a crash would leave it.
      const orphans = name === 'runner' ? actionProcesses(env) : [];
      await service.kill('SIGKILL');
      await until(async () => orphans.filter(isAlive), (alive) => alive.length === 0, { timeoutMs: 10_000 });
      await env.platform.restart(name, { TRELLIS_HTTP_PORT: port });
    },
  };
}

const killObjectStore: Fault = {
  name: 'kill -9 object store',
  inject: async (env) => {
    await env.objectStore.kill();
    await env.objectStore.start();
  },
};

// nginx's master and its workers share its process group: kill -9 of them all, as a crash of the
// gateway's container would, so no orphaned worker keeps the port.
const killGateway: Fault = {
  name: 'kill -9 gateway',
  inject: async (env) => {
    const master = await env.gatewayPid();
    killGroup(master);
    await until(async () => isAlive(master), (alive) => !alive, { timeoutMs: 10_000 });
    await env.startGateway();
  },
};

const killActionProcesses: Fault = {
  name: 'kill -9 action processes',
  inject: async (env) => {
    const processes = await until(async () => actionProcesses(env), (pids) => pids.length > 0, { timeoutMs: 30_000 });
    for (const pid of processes) killGroup(pid);
  },
};

function cutConnections(name: string, proxy: (env: FaultEnvironment) => FaultEnvironment['proxies']['postgres']): Fault {
  return {
    name: `cut ${name} connections`,
    inject: async (env) => {
      await proxy(env).cut();
      await new Promise((resolve) => setTimeout(resolve, CUT_MS));
      await proxy(env).restore();
    },
  };
}

const KILLED_SERVICES: readonly ServiceName[] = ['authorization', 'studio', 'repository', 'action-builder', 'runner'];

/** Every fault, once each in this order; the full scale adds the broker's full stop. */
export function faultCatalog(options: { fullBrokerStop: boolean }): Fault[] {
  return [
    ...KILLED_SERVICES.map(killService),
    killObjectStore,
    killGateway,
    { name: 'restart RabbitMQ (stop_app/start_app)', inject: () => restartRabbitmqApp() },
    ...(options.fullBrokerStop ? [{ name: 'restart RabbitMQ (shutdown, rabbitmq-server)', inject: () => restartRabbitmqNode() }] : []),
    { name: 'restart PostgreSQL', inject: () => restartPostgres() },
    cutConnections('PostgreSQL', (env) => env.proxies.postgres),
    cutConnections('RabbitMQ', (env) => env.proxies.rabbitmq),
    killActionProcesses,
  ];
}
