import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { exchangeOf } from '@trellis/platform/amqp/topology';
import { enqueueMessages } from '@trellis/platform/postgres/outbox';
import { startTcpProxy, type TcpProxy } from '@trellis/platform/testing/tcp-proxy';
import {
  EMITTER, TYPE, consumerQueue, drainQueue, enqueue, eventually, makeBroker, range, startRelay, thingCodec, withTopology,
  useDatabaseAndVhost,
} from './fixtures.js';

const infra = useDatabaseAndVhost();
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function relayWithBroker(url = infra.vhost.url) {
  const broker = withTopology(makeBroker(url));
  broker.start();
  await broker.waitUntilConnected(5000);
  const relay = startRelay(infra.database.db, infra.database.url, broker);
  cleanups.push(() => broker.close(), () => relay.stop());
  return { broker, relay };
}

async function queued(): Promise<string[]> {
  const messages = await drainQueue(infra.vhost.url, consumerQueue().name);
  return messages.map((message) => thingCodec.decode(message.content).key);
}

async function unsentCount(): Promise<number> {
  const row = await infra.database.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('sent_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('outbox relay', () => {
  it('publishes only committed rows, with the message properties consumers rely on', async () => {
    await relayWithBroker();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const open = infra.database.db.transaction().execute(async (trx) => {
      await enqueueMessages(trx, [{
        messageId: randomUUID(), exchange: exchangeOf(EMITTER), type: TYPE, payload: thingCodec.encode('held'), occurredAt: new Date(), traceId: 'trace-held',
      }]);
      await held;
    });
    await expect(infra.database.db.transaction().execute(async (trx) => {
      await enqueueMessages(trx, [{
        messageId: randomUUID(), exchange: exchangeOf(EMITTER), type: TYPE, payload: thingCodec.encode('rolled-back'), occurredAt: new Date(), traceId: 't',
      }]);
      throw new Error('roll back');
    })).rejects.toThrow('roll back');

    await new Promise((resolve) => setTimeout(resolve, 700)); // several poll intervals
    expect(await queued()).toEqual([]);

    release();
    await open;
    const messages = await eventually(() => drainQueue(infra.vhost.url, consumerQueue().name), (list) => list.length > 0);
    expect(messages.map((message) => thingCodec.decode(message.content).key)).toEqual(['held']);
    const [message] = messages;
    expect(message?.properties.type).toBe(TYPE);
    expect(message?.properties.contentType).toBe('application/x-protobuf');
    expect(message?.properties.deliveryMode).toBe(2);
    expect(message?.properties.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(message?.properties.headers?.['x-trace-id']).toBe('trace-held');
    expect(await unsentCount()).toBe(0);
  });

  it('is woken by the commit rather than waiting for its poll', async () => {
    const broker = withTopology(makeBroker(infra.vhost.url));
    broker.start();
    await broker.waitUntilConnected(5000);
    const { startOutboxRelay } = await import('@trellis/platform/postgres/outbox');
    const { logger, metrics } = await import('./fixtures.js');
    const relay = startOutboxRelay({ db: infra.database.db, connectionString: infra.database.url, broker, logger, metrics: metrics(), pollIntervalMs: 60_000 });
    cleanups.push(() => broker.close(), () => relay.stop());
    await new Promise((resolve) => setTimeout(resolve, 300)); // let LISTEN start
    await enqueue(infra.database.db, ['prompt']);
    const keys = await eventually(queued, (list) => list.length > 0, 3000);
    expect(keys).toEqual(['prompt']);
  });

  it('keeps rows the broker did not confirm and sends them once it is back, after a restart of the relay', async () => {
    const proxy: TcpProxy = await startTcpProxy({ host: '127.0.0.1', port: 5672 });
    cleanups.push(() => proxy.close());
    const url = new URL(infra.vhost.url);
    url.port = String(proxy.port);
    const first = await relayWithBroker(url.toString());
    await proxy.cut();
    await enqueue(infra.database.db, range(5, 'down-'));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await unsentCount()).toBe(5);
    const failed = await infra.database.db.selectFrom('outbox').select(['attempts', 'last_error']).where('sent_at', 'is', null).execute();
    expect(failed.every((row) => row.attempts >= 1 && row.last_error)).toBe(true);

    // The relay process "restarts": a new one picks up what the old one left.
    await first.relay.stop();
    await first.broker.close();
    await proxy.restore();
    await relayWithBroker(url.toString());
    const keys = await eventually(queued, (list) => list.length >= 5);
    expect(keys.sort()).toEqual(range(5, 'down-').sort());
    expect(await unsentCount()).toBe(0);
  });
});
