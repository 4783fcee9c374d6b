import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import pg from 'pg';
import { testAdminUrl } from '@trellis/platform/testing/postgres';
import { testAmqpBaseUrl } from '@trellis/platform/testing/rabbitmq';
import { until } from './until.js';

// The machine's own PostgreSQL and RabbitMQ, which the faults part restarts. Each restart waits
// until the server answers again, and `restoreSharedServers` starts whichever is down, so a
// failing test never leaves them stopped for the suites that follow.

const run = promisify(execFile);
/** Starts the broker's node in the background: its daemon keeps no pipe of ours, so waiting for the script's exit is enough. */
function startRabbitmqNode(): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn('rabbitmq-server', ['-detached'], { stdio: 'ignore', detached: true });
    child.once('error', fail);
    child.once('exit', () => done());
  });
}

const POSTGRES_CLUSTER = ['15', 'main'] as const;
const RABBITMQ_API = 'http://127.0.0.1:15672/api';
const GUEST = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: testAdminUrl(), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function rabbitmqAnswers(): Promise<boolean> {
  try {
    const connection = await amqp.connect(testAmqpBaseUrl());
    await connection.close();
    const overview = await fetch(`${RABBITMQ_API}/overview`, { headers: { authorization: GUEST } });
    return overview.ok;
  } catch {
    return false;
  }
}

const answering = (probe: () => Promise<boolean>, timeoutMs = 120_000) => until(probe, (up) => up, { timeoutMs, everyMs: 500 });

export async function restartPostgres(): Promise<void> {
  await run('pg_ctlcluster', [...POSTGRES_CLUSTER, 'restart']);
  await answering(postgresAnswers);
}

/** Stops the broker's application (the Erlang node stays up) and starts it again. */
export async function restartRabbitmqApp(): Promise<void> {
  await run('rabbitmqctl', ['stop_app']);
  await run('rabbitmqctl', ['start_app']);
  await answering(rabbitmqAnswers);
}

/** The whole broker node stopped and started again, as a machine reboot would. */
export async function restartRabbitmqNode(): Promise<void> {
  await run('rabbitmqctl', ['shutdown']);
  await startRabbitmqNode();
  await answering(rabbitmqAnswers);
}

/** Starts PostgreSQL and RabbitMQ if a fault left either down; waits until both answer. */
export async function restoreSharedServers(): Promise<void> {
  if (!(await postgresAnswers())) await run('pg_ctlcluster', [...POSTGRES_CLUSTER, 'start']).catch(() => undefined);
  if (!(await rabbitmqAnswers())) {
    const app = await run('rabbitmqctl', ['start_app']).then(() => true, () => false);
    if (!app) {
      await startRabbitmqNode().catch(() => undefined);
    }
  }
  await Promise.all([answering(postgresAnswers), answering(rabbitmqAnswers)]);
}

export type QueueDepth = { name: string; messages: number; consumers: number };

/** Every queue of `vhost` with its depth and consumers, from the management API. */
export async function queueDepths(vhost: string): Promise<QueueDepth[]> {
  const response = await fetch(`${RABBITMQ_API}/queues/${encodeURIComponent(vhost)}?columns=name,messages,consumers`, { headers: { authorization: GUEST } });
  if (!response.ok) throw new Error(`RabbitMQ management API answered ${response.status}: ${await response.text()}`);
  const queues = (await response.json()) as { name: string; messages?: number; consumers?: number }[];
  return queues.map((queue) => ({ name: queue.name, messages: queue.messages ?? 0, consumers: queue.consumers ?? 0 }));
}
