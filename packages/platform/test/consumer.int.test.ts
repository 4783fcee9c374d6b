import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterQueueOf, exchangeOf, retryQueueOf } from '@trellis/platform/amqp/topology';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import { createTestVhost, type TestVhost } from '@trellis/platform/testing/rabbitmq';
import { startTcpProxy } from '@trellis/platform/testing/tcp-proxy';
import {
  EMITTER, TYPE, appliedCounts, consumerQueue, drainQueue, enqueue, eventually, makeBroker, migrations, publishRaw, range,
  recordingHandler, startRecordingConsumer, startRelay, thingCodec, withTopology, type Schema,
} from './fixtures.js';

let database: TestDatabase<Schema>;
let vhost: TestVhost;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  [database, vhost] = await Promise.all([createTestDatabase<Schema>({ service: 'platform', migrations }), createTestVhost()]);
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
  await database.db.deleteFrom('applied').execute();
  await database.db.deleteFrom('inbox').execute();
  await database.db.deleteFrom('outbox').execute();
});
afterAll(async () => {
  await Promise.all([database?.close(), vhost?.close()]);
});

async function connected(url = vhost.url, queue = consumerQueue()) {
  const broker = withTopology(makeBroker(url), queue);
  broker.start();
  await broker.waitUntilConnected(5000);
  cleanups.push(() => broker.close());
  return broker;
}

const everyKeyOnce = (keys: string[]) => (counts: Map<string, number>) => keys.every((key) => counts.has(key));

function expectExactlyOnce(counts: Map<string, number>, keys: string[]): void {
  expect([...counts.keys()].sort()).toEqual([...keys].sort());
  expect([...counts.values()].filter((times) => times !== 1)).toEqual([]);
}

describe('consumer', () => {
  it('consumes what was sent while it was down, once it comes back', async () => {
    const emitter = await connected();
    const relay = startRelay(database.db, database.url, emitter);
    cleanups.push(() => relay.stop());
    await enqueue(database.db, range(20, 'offline-'));
    await eventually(() => database.db.selectFrom('outbox').select('seq').where('sent_at', 'is', null).execute(), (rows) => rows.length === 0);
    expect(await appliedCounts(database.db)).toEqual(new Map());

    const consumerBroker = await connected();
    const consumer = startRecordingConsumer({ broker: consumerBroker, db: database.db });
    cleanups.push(() => consumer.stop());
    const counts = await eventually(() => appliedCounts(database.db), everyKeyOnce(range(20, 'offline-')));
    expectExactlyOnce(counts, range(20, 'offline-'));
  });

  it('applies a duplicate delivery once', async () => {
    const broker = await connected();
    const consumer = startRecordingConsumer({ broker, db: database.db });
    cleanups.push(() => consumer.stop());
    const messageId = randomUUID();
    const properties = { messageId, type: TYPE, contentType: 'application/x-protobuf', persistent: true };
    for (let i = 0; i < 3; i++) await publishRaw(vhost.url, exchangeOf(EMITTER), TYPE, thingCodec.encode('dup'), properties);
    await publishRaw(vhost.url, exchangeOf(EMITTER), TYPE, thingCodec.encode('after'), { ...properties, messageId: randomUUID() });
    await eventually(() => appliedCounts(database.db), (counts) => counts.has('after'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await appliedCounts(database.db)).toEqual(new Map([['dup', 1], ['after', 1]]));
    const inbox = await database.db.selectFrom('inbox').selectAll().where('message_id', '=', messageId).execute();
    expect(inbox).toHaveLength(1);
  });

  it('dead-letters an undecodable message at once, without calling the handler or retrying', async () => {
    const broker = await connected();
    const handled: string[] = [];
    const consumer = startRecordingConsumer({ broker, db: database.db, handler: recordingHandler((key) => void handled.push(key)) });
    cleanups.push(() => consumer.stop());
    const base = { type: TYPE, contentType: 'application/x-protobuf', persistent: true };
    await publishRaw(vhost.url, exchangeOf(EMITTER), TYPE, Buffer.from([0xff, 0x00, 0x13]), { ...base, messageId: 'garbage' });
    await publishRaw(vhost.url, exchangeOf(EMITTER), TYPE, thingCodec.encode('wrong-content-type'), { ...base, messageId: 'json', contentType: 'application/json' });
    await publishRaw(vhost.url, exchangeOf(EMITTER), TYPE, thingCodec.encode('no-id'), { type: TYPE, contentType: 'application/x-protobuf' });
    const dead = await eventually(() => drainQueue(vhost.url, deadLetterQueueOf(consumerQueue().name)), (list) => list.length === 3);
    const reasons = dead.map((message) => String(message.properties.headers?.['x-trellis-dead-reason']));
    expect(reasons.every((reason) => reason.startsWith('undecodable'))).toBe(true);
    expect(reasons.join('\n')).toMatch(/not a Thing|JSON|Unexpected/);
    expect(dead.map((message) => message.properties.headers?.['x-trellis-attempt'])).toEqual([undefined, undefined, undefined]);
    expect(handled).toEqual([]);
    expect(await appliedCounts(database.db)).toEqual(new Map());
  });

  it('retries a handler that throws with growing delays, then dead-letters it', async () => {
    const delays = [100, 300, 900];
    const queue = consumerQueue(delays);
    const broker = await connected(vhost.url, queue);
    const attempts: Array<{ attempt: number; at: number }> = [];
    const handler = recordingHandler((key, attempt) => {
      if (key === 'doomed') {
        attempts.push({ attempt, at: Date.now() });
        throw new Error('database said no');
      }
    });
    const consumer = startRecordingConsumer({ broker, db: database.db, queue, handler });
    cleanups.push(() => consumer.stop());
    await publishRaw(vhost.url, exchangeOf(EMITTER), TYPE, thingCodec.encode('doomed'), {
      messageId: randomUUID(), type: TYPE, contentType: 'application/x-protobuf', persistent: true,
    });
    const dead = await eventually(() => drainQueue(vhost.url, deadLetterQueueOf(queue.name)), (list) => list.length === 1);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    const gaps = attempts.slice(1).map((a, i) => a.at - (attempts[i]?.at ?? 0));
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual((delays[i] ?? 0) - 20));
    expect(gaps[2]).toBeGreaterThan(gaps[0] ?? Infinity);
    expect(String(dead[0]?.properties.headers?.['x-trellis-dead-reason'])).toContain('handler failed 4 times: database said no');
    expect(await appliedCounts(database.db)).toEqual(new Map());
    for (const delay of delays) expect(await drainQueue(vhost.url, retryQueueOf(queue.name, delay))).toEqual([]);
  });

  it('a handler that fails once then succeeds is applied exactly once', async () => {
    const broker = await connected();
    let failures = 0;
    const handler = recordingHandler(() => {
      if (failures++ === 0) throw new Error('transient');
    });
    const consumer = startRecordingConsumer({ broker, db: database.db, handler });
    cleanups.push(() => consumer.stop());
    await enqueue(database.db, []);
    await publishRaw(vhost.url, exchangeOf(EMITTER), TYPE, thingCodec.encode('flaky'), {
      messageId: randomUUID(), type: TYPE, contentType: 'application/x-protobuf', persistent: true,
    });
    const counts = await eventually(() => appliedCounts(database.db), (map) => map.has('flaky'));
    expect(counts.get('flaky')).toBe(1);
    expect(failures).toBe(2);
  });

  it('drops its own inbox rows past their retention when it starts, and no one else\'s', async () => {
    const old = new Date(Date.now() - 40 * 24 * 3600_000);
    await database.db.insertInto('inbox').values([
      { consumer: consumerQueue().name, message_id: 'old', message_type: TYPE, received_at: old },
      { consumer: consumerQueue().name, message_id: 'recent', message_type: TYPE },
      { consumer: 'trellis.other.events', message_id: 'old-other', message_type: TYPE, received_at: old },
    ]).execute();
    const broker = await connected();
    const consumer = startRecordingConsumer({ broker, db: database.db });
    cleanups.push(() => consumer.stop());
    const left = await eventually(
      () => database.db.selectFrom('inbox').select('message_id').orderBy('message_id').execute(),
      (rows) => rows.length === 2,
    );
    expect(left.map((row) => row.message_id)).toEqual(['old-other', 'recent']);
  });

  it('loses no message when the broker connection is cut in the middle of the stream', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5672 });
    cleanups.push(() => proxy.close());
    const throughProxy = new URL(vhost.url);
    throughProxy.port = String(proxy.port);
    const emitter = await connected(throughProxy.toString());
    const consumerBroker = await connected(throughProxy.toString());
    const relay = startRelay(database.db, database.url, emitter);
    const consumer = startRecordingConsumer({ broker: consumerBroker, db: database.db, prefetch: 8 });
    cleanups.push(() => relay.stop(), () => consumer.stop());

    const keys = range(1000, 'stream-');
    for (let i = 0; i < keys.length; i += 100) await enqueue(database.db, keys.slice(i, i + 100));
    for (let cut = 0; cut < 3; cut++) {
      await eventually(() => appliedCounts(database.db), (counts) => counts.size >= 150 * (cut + 1));
      await proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await proxy.restore();
    }
    const counts = await eventually(() => appliedCounts(database.db), everyKeyOnce(keys), 60_000);
    expectExactlyOnce(counts, keys);
    expect(await drainQueue(vhost.url, deadLetterQueueOf(consumerQueue().name))).toEqual([]);
  }, 90_000);
});
