import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { deadLetterQueueOf, exchangeOf, retryQueueOf } from '@trellis/platform/amqp/topology';
import { startTcpProxy } from '@trellis/platform/testing/tcp-proxy';
import {
  EMITTER, TYPE, appliedCounts, consumerQueue, drainQueue, enqueue, eventually, makeBroker, publishRaw, range,
  recordingHandler, startRecordingConsumer, startRelay, thingCodec, withTopology,
  useDatabaseAndVhost,
} from './fixtures.js';

const infra = useDatabaseAndVhost();
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
  await infra.database.db.deleteFrom('applied').execute();
  await infra.database.db.deleteFrom('inbox').execute();
  await infra.database.db.deleteFrom('outbox').execute();
});

async function connected(url = infra.vhost.url, queue = consumerQueue()) {
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
    const relay = startRelay(infra.database.db, infra.database.url, emitter);
    cleanups.push(() => relay.stop());
    await enqueue(infra.database.db, range(20, 'offline-'));
    await eventually(() => infra.database.db.selectFrom('outbox').select('seq').where('sent_at', 'is', null).execute(), (rows) => rows.length === 0);
    expect(await appliedCounts(infra.database.db)).toEqual(new Map());

    const consumerBroker = await connected();
    const consumer = startRecordingConsumer({ broker: consumerBroker, db: infra.database.db });
    cleanups.push(() => consumer.stop());
    const counts = await eventually(() => appliedCounts(infra.database.db), everyKeyOnce(range(20, 'offline-')));
    expectExactlyOnce(counts, range(20, 'offline-'));
  });

  it('applies a duplicate delivery once', async () => {
    const broker = await connected();
    const consumer = startRecordingConsumer({ broker, db: infra.database.db });
    cleanups.push(() => consumer.stop());
    const messageId = randomUUID();
    const properties = { messageId, type: TYPE, contentType: 'application/x-protobuf', persistent: true };
    for (let i = 0; i < 3; i++) await publishRaw(infra.vhost.url, exchangeOf(EMITTER), TYPE, thingCodec.encode('dup'), properties);
    await publishRaw(infra.vhost.url, exchangeOf(EMITTER), TYPE, thingCodec.encode('after'), { ...properties, messageId: randomUUID() });
    await eventually(() => appliedCounts(infra.database.db), (counts) => counts.has('after'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await appliedCounts(infra.database.db)).toEqual(new Map([['dup', 1], ['after', 1]]));
    const inbox = await infra.database.db.selectFrom('inbox').selectAll().where('message_id', '=', messageId).execute();
    expect(inbox).toHaveLength(1);
  });

  it('dead-letters an undecodable message at once, without calling the handler or retrying', async () => {
    const broker = await connected();
    const handled: string[] = [];
    const consumer = startRecordingConsumer({ broker, db: infra.database.db, handler: recordingHandler((key) => void handled.push(key)) });
    cleanups.push(() => consumer.stop());
    const base = { type: TYPE, contentType: 'application/x-protobuf', persistent: true };
    await publishRaw(infra.vhost.url, exchangeOf(EMITTER), TYPE, Buffer.from([0xff, 0x00, 0x13]), { ...base, messageId: 'garbage' });
    await publishRaw(infra.vhost.url, exchangeOf(EMITTER), TYPE, thingCodec.encode('wrong-content-type'), { ...base, messageId: 'json', contentType: 'application/json' });
    await publishRaw(infra.vhost.url, exchangeOf(EMITTER), TYPE, thingCodec.encode('no-id'), { type: TYPE, contentType: 'application/x-protobuf' });
    const dead = await eventually(() => drainQueue(infra.vhost.url, deadLetterQueueOf(consumerQueue().name)), (list) => list.length === 3);
    const reasons = dead.map((message) => String(message.properties.headers?.['x-trellis-dead-reason']));
    expect(reasons.every((reason) => reason.startsWith('undecodable'))).toBe(true);
    expect(reasons.join('\n')).toMatch(/not a Thing|JSON|Unexpected/);
    expect(dead.map((message) => message.properties.headers?.['x-trellis-attempt'])).toEqual([undefined, undefined, undefined]);
    expect(handled).toEqual([]);
    expect(await appliedCounts(infra.database.db)).toEqual(new Map());
  });

  it('retries a handler that throws with growing delays, then dead-letters it', async () => {
    const delays = [100, 300, 900];
    const queue = consumerQueue(delays);
    const broker = await connected(infra.vhost.url, queue);
    const attempts: Array<{ attempt: number; at: number }> = [];
    const handler = recordingHandler((key, attempt) => {
      if (key === 'doomed') {
        attempts.push({ attempt, at: Date.now() });
        throw new Error('database said no');
      }
    });
    const consumer = startRecordingConsumer({ broker, db: infra.database.db, queue, handler });
    cleanups.push(() => consumer.stop());
    await publishRaw(infra.vhost.url, exchangeOf(EMITTER), TYPE, thingCodec.encode('doomed'), {
      messageId: randomUUID(), type: TYPE, contentType: 'application/x-protobuf', persistent: true,
    });
    const dead = await eventually(() => drainQueue(infra.vhost.url, deadLetterQueueOf(queue.name)), (list) => list.length === 1);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    const gaps = attempts.slice(1).map((a, i) => a.at - (attempts[i]?.at ?? 0));
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual((delays[i] ?? 0) - 20));
    expect(gaps[2]).toBeGreaterThan(gaps[0] ?? Infinity);
    expect(String(dead[0]?.properties.headers?.['x-trellis-dead-reason'])).toContain('handler failed 4 times: database said no');
    expect(await appliedCounts(infra.database.db)).toEqual(new Map());
    for (const delay of delays) expect(await drainQueue(infra.vhost.url, retryQueueOf(queue.name, delay))).toEqual([]);
  });

  it('a handler that fails once then succeeds is applied exactly once', async () => {
    const broker = await connected();
    let failures = 0;
    const handler = recordingHandler(() => {
      if (failures++ === 0) throw new Error('transient');
    });
    const consumer = startRecordingConsumer({ broker, db: infra.database.db, handler });
    cleanups.push(() => consumer.stop());
    await enqueue(infra.database.db, []);
    await publishRaw(infra.vhost.url, exchangeOf(EMITTER), TYPE, thingCodec.encode('flaky'), {
      messageId: randomUUID(), type: TYPE, contentType: 'application/x-protobuf', persistent: true,
    });
    const counts = await eventually(() => appliedCounts(infra.database.db), (map) => map.has('flaky'));
    expect(counts.get('flaky')).toBe(1);
    expect(failures).toBe(2);
  });

  it('drops its own inbox rows past their retention when it starts, and no one else\'s', async () => {
    const old = new Date(Date.now() - 40 * 24 * 3600_000);
    await infra.database.db.insertInto('inbox').values([
      { consumer: consumerQueue().name, message_id: 'old', message_type: TYPE, received_at: old },
      { consumer: consumerQueue().name, message_id: 'recent', message_type: TYPE },
      { consumer: 'trellis.other.events', message_id: 'old-other', message_type: TYPE, received_at: old },
    ]).execute();
    const broker = await connected();
    const consumer = startRecordingConsumer({ broker, db: infra.database.db });
    cleanups.push(() => consumer.stop());
    const left = await eventually(
      () => infra.database.db.selectFrom('inbox').select('message_id').orderBy('message_id').execute(),
      (rows) => rows.length === 2,
    );
    expect(left.map((row) => row.message_id)).toEqual(['old-other', 'recent']);
  });

  it('loses no message when the broker connection is cut in the middle of the stream', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5672 });
    cleanups.push(() => proxy.close());
    const throughProxy = new URL(infra.vhost.url);
    throughProxy.port = String(proxy.port);
    const emitter = await connected(throughProxy.toString());
    const consumerBroker = await connected(throughProxy.toString());
    const relay = startRelay(infra.database.db, infra.database.url, emitter);
    const consumer = startRecordingConsumer({ broker: consumerBroker, db: infra.database.db, prefetch: 8 });
    cleanups.push(() => relay.stop(), () => consumer.stop());

    const keys = range(1000, 'stream-');
    for (let i = 0; i < keys.length; i += 100) await enqueue(infra.database.db, keys.slice(i, i + 100));
    for (let cut = 0; cut < 3; cut++) {
      await eventually(() => appliedCounts(infra.database.db), (counts) => counts.size >= 150 * (cut + 1));
      await proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await proxy.restore();
    }
    const counts = await eventually(() => appliedCounts(infra.database.db), everyKeyOnce(keys), 60_000);
    expectExactlyOnce(counts, keys);
    expect(await drainQueue(infra.vhost.url, deadLetterQueueOf(consumerQueue().name))).toEqual([]);
  }, 90_000);
});
