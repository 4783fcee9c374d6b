import amqp from 'amqplib';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { declareEmitterExchange, exchangeOf } from '../amqp/topology.js';
import { makeLogger, type Logger } from '../logger.js';
import type { Migrations } from '../postgres/migrate.js';
import type { MessagingTables } from '../postgres/messaging-tables.js';
import type { RunningService } from '../service.js';
import { publishMessage } from './amqp.js';
import { eventually } from './eventually.js';
import { startTestObjectStore, type TestObjectStore } from './object-store.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { createTestVhost, type TestVhost } from './rabbitmq.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import { startTestJwks, type TestJwks } from './tokens.js';

export type ServiceUnderTest<DB> = {
  database: TestDatabase<DB>;
  vhost: TestVhost;
  /** Stands in for authorization's published keys; `jwks.sign(...)` makes access tokens. */
  jwks: TestJwks;
  /** The service's own object store, reached through `storeProxy` so a test can take it away (when asked for). */
  store: TestObjectStore;
  storeProxy: TcpProxy;
  running: RunningService<DB>;
  /** `http://127.0.0.1:<port><basePath>` */
  base: string;
};

export type ServiceUnderTestSpec<DB> = {
  service: string;
  migrations: Migrations;
  /** What migrate declares in production; authorization's exchange is declared too, so nothing published before the consumer subscribes is lost. */
  declareTopology: (channel: amqp.Channel) => Promise<void>;
  objectStore?: boolean;
  /** Parses `env` with the service's own schema and starts it as main.ts does. */
  start: (env: Record<string, string>, logger: Logger) => Promise<RunningService<DB>>;
  env?: Record<string, string>;
};

/**
 * A service as main.ts runs it (same wiring, same env schema) on a database, a vhost, a JWKS and
 * (when asked) an object store of this test file's own. Quiet unless TEST_LOG_LEVEL is set
 * (dead-lettering logs at error level on purpose).
 */
export function useServiceUnderTest<DB>(spec: ServiceUnderTestSpec<DB>): ServiceUnderTest<DB> {
  const harness = {} as ServiceUnderTest<DB>;
  beforeAll(async () => {
    harness.jwks = await startTestJwks();
    [harness.database, harness.vhost] = await Promise.all([createTestDatabase<DB>({ service: spec.service, migrations: spec.migrations }), createTestVhost()]);
    const connection = await amqp.connect(harness.vhost.url);
    try {
      const channel = await connection.createChannel();
      await declareEmitterExchange(channel, 'authorization');
      await spec.declareTopology(channel);
    } finally {
      await connection.close();
    }
    const storeEnv: Record<string, string> = {};
    if (spec.objectStore) {
      harness.store = await startTestObjectStore();
      const storeUrl = new URL(harness.store.config.endpoint);
      harness.storeProxy = await startTcpProxy({ host: storeUrl.hostname, port: Number(storeUrl.port) });
      Object.assign(storeEnv, {
        TRELLIS_S3_ENDPOINT: `http://127.0.0.1:${harness.storeProxy.port}`,
        TRELLIS_S3_ACCESS_KEY: harness.store.config.accessKey,
        TRELLIS_S3_SECRET_KEY: harness.store.config.secretKey,
        TRELLIS_S3_BUCKET: harness.store.config.bucket,
      });
    }
    const env = {
      TRELLIS_HTTP_PORT: '0',
      TRELLIS_DATABASE_URL: harness.database.url,
      TRELLIS_AMQP_URL: harness.vhost.url,
      TRELLIS_AUTH_JWKS_URL: harness.jwks.url,
      ...storeEnv,
      ...spec.env,
    };
    const logger = makeLogger({ service: spec.service, level: process.env['TEST_LOG_LEVEL'] ?? 'error', silent: !process.env['TEST_LOG_LEVEL'] });
    harness.running = await spec.start(env, logger);
    await harness.running.runtime.broker.waitUntilConnected(10_000);
    harness.base = harness.running.url;
  });
  afterAll(async () => {
    await harness.running?.stop();
    await harness.jwks?.close();
    await harness.storeProxy?.close();
    await Promise.all([harness.database?.close(), harness.vhost?.close(), harness.store?.close()]);
  });
  return harness;
}

export type Published = { messageId: string };

/** Publishes on `emitter`'s exchange as its outbox relay does; `messageId` lets a test deliver the same message twice. */
export function publishAs(url: string, emitter: string, type: string, content: Uint8Array, messageId?: string): Promise<Published> {
  return publishMessage(url, { exchange: exchangeOf(emitter), type, content, ...(messageId ? { messageId } : {}) });
}

/** Resolves once `queue`'s consumer has committed the message (its inbox row commits with the handler's writes). */
export async function handled<DB extends MessagingTables>(db: Kysely<DB>, queue: string, published: Published): Promise<void> {
  const inbox = db as unknown as Kysely<MessagingTables>;
  await eventually(
    () => inbox.selectFrom('inbox').select('message_id').where('consumer', '=', queue).where('message_id', '=', published.messageId).execute(),
    (rows) => rows.length === 1,
  );
}

/** Every object name in the bucket, read directly (not through the proxy). */
export async function objectNames(store: TestObjectStore): Promise<string[]> {
  const names: string[] = [];
  for await (const item of store.store.client.listObjectsV2(store.config.bucket, '', true) as AsyncIterable<{ name?: string }>) {
    if (item.name) names.push(item.name);
  }
  return names.sort();
}

export async function putObjects(store: TestObjectStore, names: readonly string[]): Promise<void> {
  for (const name of names) await store.store.client.putObject(store.config.bucket, name, Buffer.from(`content of ${name}`));
}
