import amqp from 'amqplib';
import type { RabbitAdmin } from '../../provision/rabbitmq.js';
import type { DeadMessage, QueueInfo } from '../queues.js';

/** Logs in as one service (its broker user on the instance's vhost) and leaves. */
export async function pingBroker(url: string, timeoutMs = 5_000): Promise<number> {
  const started = Date.now();
  const connection = await amqp.connect(url, { timeout: timeoutMs });
  connection.on('error', () => undefined);
  await connection.close();
  return Date.now() - started;
}

/** A failure of the management API, said in words (its URL and user, never the password). */
export class ManagementApiError extends Error {}

async function call(admin: RabbitAdmin, method: string, path: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${admin.apiUrl}/api${path}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString('base64')}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    throw new ManagementApiError(`the RabbitMQ management API at ${admin.apiUrl} does not answer (${code ?? (error as Error).name})`, { cause: error });
  }
  const text = await response.text();
  if (response.status === 401) throw new ManagementApiError(`the RabbitMQ management API at ${admin.apiUrl} refused user "${admin.user}"`);
  if (response.status === 404) throw new ManagementApiError(`${path.split('/')[1] === 'queues' ? 'the vhost or queue' : path} does not exist on ${admin.apiUrl}`);
  if (!response.ok) throw new ManagementApiError(`the RabbitMQ management API answered ${response.status} to ${method} ${path}: ${text.slice(0, 200)}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

export async function listQueues(admin: RabbitAdmin, vhost: string): Promise<QueueInfo[]> {
  const queues = (await call(admin, 'GET', `/queues/${encodeURIComponent(vhost)}?columns=name,messages,consumers`)) as { name: string; messages?: number; consumers?: number }[];
  return queues.map((q) => ({ name: q.name, messages: q.messages ?? 0, consumers: q.consumers ?? 0 }));
}

type Peeked = { properties?: { type?: string; timestamp?: number; headers?: Record<string, unknown> } };

/**
 * Reads up to `count` messages of a queue and puts them back (ackmode ack_requeue_true): what a
 * dead-lettered message says of itself, without taking it away.
 */
export async function peekMessages(admin: RabbitAdmin, vhost: string, queue: string, count = 50): Promise<DeadMessage[]> {
  const messages = (await call(admin, 'POST', `/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}/get`, {
    count, ackmode: 'ack_requeue_true', encoding: 'auto', truncate: 1024,
  })) as Peeked[];
  return messages.map((m) => {
    const headers = m.properties?.headers ?? {};
    const deadAt = typeof headers['x-trellis-dead-at'] === 'string' ? new Date(headers['x-trellis-dead-at']) : m.properties?.timestamp ? new Date(m.properties.timestamp * 1000) : undefined;
    const reason = headers['x-trellis-dead-reason'];
    return {
      ...(m.properties?.type ? { type: m.properties.type } : {}),
      ...(deadAt && !Number.isNaN(deadAt.getTime()) ? { deadAt } : {}),
      ...(typeof reason === 'string' ? { reason } : {}),
    };
  });
}

/**
 * Each queue's waiting messages and consumers as the broker knows them now (a passive declare
 * as the service that owns the queues), where the management API's counts lag up to its
 * statistics interval (5 s): right after `make up` it would still say "no consumer". A queue
 * this user may not see is left out (the management API's counts stand for it).
 */
export async function countQueues(url: string, names: readonly string[], timeoutMs = 5_000): Promise<Map<string, { messages: number; consumers: number }>> {
  const counts = new Map<string, { messages: number; consumers: number }>();
  const connection = await amqp.connect(url, { timeout: timeoutMs });
  connection.on('error', () => undefined);
  try {
    for (const name of names) {
      // A failed passive declare closes its channel: one channel per queue.
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      try {
        const { messageCount, consumerCount } = await channel.checkQueue(name);
        counts.set(name, { messages: messageCount, consumers: consumerCount });
        await channel.close();
      } catch {
        // Gone, or not this user's: leave it to the management API's counts.
      }
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
  return counts;
}

/** A resource alarm in effect: while one is, the broker blocks every connection that publishes. */
export type BrokerAlarm = { readonly node: string; readonly resource: string };

/** The broker's resource alarms (memory, disk) through the management API's health check: 503 while one is in effect. */
export async function readAlarms(admin: RabbitAdmin): Promise<BrokerAlarm[]> {
  const response = await fetch(`${admin.apiUrl}/api/health/checks/alarms`, {
    headers: { authorization: `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString('base64')}` },
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json().catch(() => ({}))) as { status?: string; alarms?: { node?: string; resource?: string }[] };
  if (response.status === 200) return [];
  if (response.status !== 503) throw new ManagementApiError(`the RabbitMQ management API answered ${response.status} to its alarms check`);
  return (body.alarms ?? [{}]).map((alarm) => ({ node: alarm.node ?? 'the broker', resource: alarm.resource ?? 'a resource' }));
}
