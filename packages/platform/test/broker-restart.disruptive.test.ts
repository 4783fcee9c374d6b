import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterQueueOf } from '@trellis/platform/amqp/topology';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import { createTestVhost, type TestVhost } from '@trellis/platform/testing/rabbitmq';
import {
  appliedCounts, consumerQueue, drainQueue, enqueue, eventually, makeBroker, migrations, range, startRecordingConsumer, startRelay, withTopology, type Schema,
} from './fixtures.js';

const run = promisify(execFile);

// Stops and starts the real, shared RabbitMQ node: this file runs alone (the `disruptive` project).
describe('a broker restart', () => {
  let database: TestDatabase<Schema>;
  let vhost: TestVhost;
  beforeAll(async () => {
    [database, vhost] = await Promise.all([createTestDatabase<Schema>({ service: 'platform', migrations }), createTestVhost()]);
  });
  afterAll(async () => {
    await Promise.all([database?.close(), vhost?.close()]);
  });

  it('loses no message and applies each once', async () => {
    const emitter = withTopology(makeBroker(vhost.url, 'emitter'));
    const receiver = withTopology(makeBroker(vhost.url, 'receiver'));
    emitter.start();
    receiver.start();
    await Promise.all([emitter.waitUntilConnected(5000), receiver.waitUntilConnected(5000)]);
    const relay = startRelay(database.db, database.url, emitter);
    const consumer = startRecordingConsumer({ broker: receiver, db: database.db, prefetch: 8 });
    try {
      const keys = range(1000, 'restart-');
      const sending = (async () => {
        for (let i = 0; i < keys.length; i += 50) {
          await enqueue(database.db, keys.slice(i, i + 50));
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      await eventually(() => appliedCounts(database.db), (counts) => counts.size >= 200);
      await run('rabbitmqctl', ['stop_app']);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await run('rabbitmqctl', ['start_app']);
      await sending;
      const counts = await eventually(() => appliedCounts(database.db), (map) => keys.every((key) => map.has(key)), 90_000);
      expect([...counts.keys()].sort()).toEqual([...keys].sort());
      expect([...counts.values()].filter((times) => times !== 1)).toEqual([]);
      expect(await drainQueue(vhost.url, deadLetterQueueOf(consumerQueue().name))).toEqual([]);
    } finally {
      await consumer.stop();
      await relay.stop();
      await Promise.all([emitter.close(), receiver.close()]);
    }
  }, 150_000);
});
