import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { deadLetterQueueOf } from '@trellis/platform/amqp/topology';
import {
  appliedCounts, consumerQueue, drainQueue, enqueue, eventually, makeBroker, range, startRecordingConsumer, startRelay, useDatabaseAndVhost, withTopology,
} from './fixtures.js';

const run = promisify(execFile);

// Stops and starts the real, shared RabbitMQ node: this file runs alone (the `disruptive` project).
describe('a broker restart', () => {
  const infra = useDatabaseAndVhost();

  it('loses no message and applies each once', async () => {
    const emitter = withTopology(makeBroker(infra.vhost.url, 'emitter'));
    const receiver = withTopology(makeBroker(infra.vhost.url, 'receiver'));
    emitter.start();
    receiver.start();
    await Promise.all([emitter.waitUntilConnected(5000), receiver.waitUntilConnected(5000)]);
    const relay = startRelay(infra.database.db, infra.database.url, emitter);
    const consumer = startRecordingConsumer({ broker: receiver, db: infra.database.db, prefetch: 8 });
    try {
      const keys = range(1000, 'restart-');
      const sending = (async () => {
        for (let i = 0; i < keys.length; i += 50) {
          await enqueue(infra.database.db, keys.slice(i, i + 50));
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      await eventually(() => appliedCounts(infra.database.db), (counts) => counts.size >= 200);
      await run('rabbitmqctl', ['stop_app']);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await run('rabbitmqctl', ['start_app']);
      await sending;
      const counts = await eventually(() => appliedCounts(infra.database.db), (map) => keys.every((key) => map.has(key)), 90_000);
      expect([...counts.keys()].sort()).toEqual([...keys].sort());
      expect([...counts.values()].filter((times) => times !== 1)).toEqual([]);
      expect(await drainQueue(infra.vhost.url, deadLetterQueueOf(consumerQueue().name))).toEqual([]);
    } finally {
      await consumer.stop();
      await relay.stop();
      await Promise.all([emitter.close(), receiver.close()]);
    }
  }, 150_000);
});
