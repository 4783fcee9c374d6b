import { randomUUID } from 'node:crypto';
import type amqp from 'amqplib';
import { afterAll, beforeAll } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { BrokerConnection } from '@trellis/platform/amqp/connection';
import { startConsumer, type MessageHandler } from '@trellis/platform/amqp/consumer';
import { declareConsumerQueue, declareEmitterExchange, exchangeOf, type ConsumerQueue } from '@trellis/platform/amqp/topology';
import { makeLogger } from '@trellis/platform/logger';
import { makeMetrics } from '@trellis/platform/metrics';
import { createMessagingTables, type MessagingTables } from '@trellis/platform/postgres/messaging-tables';
import { enqueueMessages, startOutboxRelay } from '@trellis/platform/postgres/outbox';
import type { Migrations } from '@trellis/platform/postgres/migrate';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import { createTestVhost, type TestVhost } from '@trellis/platform/testing/rabbitmq';
import { drainQueue, publishMessage } from '@trellis/platform/testing/amqp';
import { eventually } from '@trellis/platform/testing/eventually';

export { drainQueue, eventually };

export type Schema = MessagingTables & { applied: { key: string; times: number } };

export const migrations: Migrations = {
  '0001_messaging': {
    up: async (db) => {
      await createMessagingTables(db);
      await db.schema.createTable('applied').addColumn('key', 'text', (c) => c.primaryKey()).addColumn('times', 'integer', (c) => c.notNull()).execute();
    },
  },
};

// Quiet unless asked: dead-lettering logs at error level on purpose. TEST_LOG_LEVEL=debug shows everything.
export const logger = makeLogger({ service: 'platform-test', level: process.env['TEST_LOG_LEVEL'] ?? 'error', silent: !process.env['TEST_LOG_LEVEL'] });
export const metrics = () => makeMetrics('platform-test');

export const EMITTER = 'emitter';
export const TYPE = 'trellis.test.v1.Thing';

/** Test payloads: JSON bytes that must carry a `key`. (The platform does not care about the codec.) */
export const thingCodec = {
  encode: (key: string) => Buffer.from(JSON.stringify({ key })),
  decode: (content: Uint8Array): { key: string } => {
    const value: unknown = JSON.parse(Buffer.from(content).toString('utf8'));
    if (typeof value !== 'object' || value === null || typeof (value as { key?: unknown }).key !== 'string') throw new Error('not a Thing');
    return value as { key: string };
  },
};

export function consumerQueue(retryDelaysMs: number[] = [50, 100, 200]): ConsumerQueue {
  return { name: 'trellis.consumer.events', bindings: [{ exchange: exchangeOf(EMITTER), routingKey: TYPE }], retryDelaysMs };
}

export function makeBroker(url: string, name = 'test'): BrokerConnection {
  return new BrokerConnection({ url, name, logger, heartbeatSeconds: 2, publishTimeoutMs: 1000 });
}

export function withTopology(broker: BrokerConnection, queue = consumerQueue()): BrokerConnection {
  broker.addTopology(async (channel) => {
    await declareEmitterExchange(channel, EMITTER);
    await declareConsumerQueue(channel, queue);
  });
  return broker;
}

export async function enqueue(db: Kysely<Schema>, keys: readonly string[]): Promise<void> {
  await db.transaction().execute((trx) =>
    enqueueMessages(trx, keys.map((key) => ({
      messageId: randomUUID(), exchange: exchangeOf(EMITTER), type: TYPE, payload: thingCodec.encode(key), occurredAt: new Date(), traceId: `trace-${key}`,
    }))),
  );
}

/** A handler that records how many times each key was applied, in the inbox's transaction. */
export function recordingHandler(onHandle?: (key: string, attempt: number) => void | Promise<void>): MessageHandler<Schema, { key: string }> {
  return {
    decode: thingCodec.decode,
    handle: async (message, { trx, attempt }) => {
      await onHandle?.(message.key, attempt);
      await trx.insertInto('applied').values({ key: message.key, times: 1 })
        .onConflict((c) => c.column('key').doUpdateSet({ times: sql`applied.times + 1` })).execute();
    },
  };
}

export function startRecordingConsumer(options: {
  broker: BrokerConnection; db: Kysely<Schema>; queue?: ConsumerQueue; handler?: MessageHandler<Schema, { key: string }>; prefetch?: number;
}) {
  return startConsumer({
    broker: options.broker, db: options.db, queue: options.queue ?? consumerQueue(), logger, metrics: metrics(),
    handlers: { [TYPE]: options.handler ?? recordingHandler() }, prefetch: options.prefetch ?? 16, handlerTimeoutMs: 5000,
  });
}

export function startRelay(db: Kysely<Schema>, url: string, broker: BrokerConnection, pollIntervalMs = 200) {
  return startOutboxRelay({ db, connectionString: url, broker, logger, metrics: metrics(), pollIntervalMs, batchSize: 100 });
}

export async function appliedCounts(db: Kysely<Schema>): Promise<Map<string, number>> {
  const rows = await db.selectFrom('applied').selectAll().execute();
  return new Map(rows.map((row) => [row.key, row.times]));
}



/** Publishes with exactly the given properties (no id unless one is given), to test what consumers make of odd messages. */
export async function publishRaw(url: string, exchange: string, routingKey: string, content: Buffer, options: amqp.Options.Publish): Promise<void> {
  await publishMessage(url, { exchange, type: routingKey, content, properties: { messageId: undefined, ...options } });
}

export const range = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** A migrated database and a vhost of this test file's own, made before its tests and dropped after. */
export function useDatabaseAndVhost(): { database: TestDatabase<Schema>; vhost: TestVhost } {
  const infra = {} as { database: TestDatabase<Schema>; vhost: TestVhost };
  beforeAll(async () => {
    [infra.database, infra.vhost] = await Promise.all([createTestDatabase<Schema>({ service: 'platform', migrations }), createTestVhost()]);
  });
  afterAll(async () => {
    await Promise.all([infra.database?.close(), infra.vhost?.close()]);
  });
  return infra;
}
