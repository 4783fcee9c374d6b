import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll } from 'vitest';
import { declareEmitterExchange, deadLetterQueueOf, exchangeOf } from '@trellis/platform/amqp/topology';
import { makeLogger } from '@trellis/platform/logger';
import { drainQueue, publishMessage } from '@trellis/platform/testing/amqp';
import { eventually } from '@trellis/platform/testing/eventually';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import { startTestObjectStore, type TestObjectStore } from '@trellis/platform/testing/object-store';
import { createTestVhost, type TestVhost } from '@trellis/platform/testing/rabbitmq';
import { startTestJwks, type TestJwks } from '@trellis/platform/testing/tokens';
import { startTcpProxy, type TcpProxy } from '@trellis/platform/testing/tcp-proxy';
import { envSchema } from '../src/infrastructure/config.js';
import * as pb from '../src/infrastructure/pb/authorization/v1/events.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { eventsQueue } from '../src/infrastructure/rabbitmq/consumers.js';
import { declareTopology } from '../src/infrastructure/rabbitmq/topology.js';
import { startRepository, type RunningRepository } from '../src/infrastructure/start-repository.js';

/** Long enough in total (about 6 s) for a test to take the object store away and bring it back before a message is dead-lettered. */
export const RETRY_DELAYS_MS = [200, 400, 800, 1600, 3200];
export const QUEUE = eventsQueue(RETRY_DELAYS_MS).name;
export const DEAD_LETTERS = deadLetterQueueOf(QUEUE);
export const API_KEY_CACHE_MS = 300;

export type Service = {
  database: TestDatabase<Database>;
  vhost: TestVhost;
  /** The service's own object store, reached through `storeProxy` so a test can take it away. */
  store: TestObjectStore;
  storeProxy: TcpProxy;
  service: RunningRepository;
  /** `http://127.0.0.1:<port>/repository` */
  base: string;
  /** Stands in for authorization's published keys; `jwks.sign(...)` makes access tokens. */
  jwks: TestJwks;
};

/**
 * The repository as main.ts runs it (same wiring, same env schema) on a database, a vhost, an
 * object store and a JWKS of this test file's own. The vhost gets what provisioning and migrate
 * declare in production: authorization's exchange and this service's queues, so nothing
 * published before the consumer subscribes is lost.
 */
export function useService(): Service {
  const harness = {} as Service;
  beforeAll(async () => {
    harness.jwks = await startTestJwks();
    [harness.database, harness.vhost, harness.store] = await Promise.all([
      createTestDatabase<Database>({ service: 'repository', migrations }), createTestVhost(), startTestObjectStore(),
    ]);
    const storeUrl = new URL(harness.store.config.endpoint);
    harness.storeProxy = await startTcpProxy({ host: storeUrl.hostname, port: Number(storeUrl.port) });
    const connection = await amqp.connect(harness.vhost.url);
    try {
      const channel = await connection.createChannel();
      await declareEmitterExchange(channel, 'authorization');
      await declareTopology(channel, RETRY_DELAYS_MS);
    } finally {
      await connection.close();
    }
    const env = envSchema.parse({
      TRELLIS_HTTP_PORT: '0',
      TRELLIS_DATABASE_URL: harness.database.url,
      TRELLIS_AMQP_URL: harness.vhost.url,
      TRELLIS_AUTH_JWKS_URL: harness.jwks.url,
      TRELLIS_API_KEY_CACHE_MS: String(API_KEY_CACHE_MS),
      TRELLIS_MESSAGE_RETRY_DELAYS_MS: RETRY_DELAYS_MS.join(','),
      TRELLIS_S3_ENDPOINT: `http://127.0.0.1:${harness.storeProxy.port}`,
      TRELLIS_S3_ACCESS_KEY: harness.store.config.accessKey,
      TRELLIS_S3_SECRET_KEY: harness.store.config.secretKey,
      TRELLIS_S3_BUCKET: harness.store.config.bucket,
    });
    // Quiet unless asked: dead-lettering logs at error level on purpose. TEST_LOG_LEVEL=debug shows everything.
    const logger = makeLogger({ service: 'repository', level: process.env['TEST_LOG_LEVEL'] ?? 'error', silent: !process.env['TEST_LOG_LEVEL'] });
    harness.service = await startRepository(env, { version: 'test', logger });
    await harness.service.runtime.broker.waitUntilConnected(10_000);
    harness.base = `http://127.0.0.1:${harness.service.http.port}/repository`;
  });
  afterAll(async () => {
    await harness.service?.stop();
    await harness.jwks?.close();
    await harness.storeProxy?.close();
    await Promise.all([harness.database?.close(), harness.vhost?.close(), harness.store?.close()]);
  });
  return harness;
}


export type Published = { messageId: string };

/** Publishes to authorization's exchange as its outbox relay does; `messageId` lets a test deliver the same message twice. */
export function publish(url: string, type: string, content: Uint8Array, messageId?: string): Promise<Published> {
  return publishMessage(url, { exchange: exchangeOf('authorization'), type, content, ...(messageId ? { messageId } : {}) });
}



/** Resolves once the consumer has committed the message (its inbox row commits with the handler's writes). */
export async function handled(db: TestDatabase<Database>['db'], published: Published): Promise<void> {
  await eventually(
    () => db.selectFrom('inbox').select('message_id').where('consumer', '=', QUEUE).where('message_id', '=', published.messageId).execute(),
    (rows) => rows.length === 1,
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const TYPES = {
  projectCreated: 'trellis.authorization.v1.ProjectCreated',
  projectDeleted: 'trellis.authorization.v1.ProjectDeleted',
  apiKeyIssued: 'trellis.authorization.v1.ApiKeyIssued',
  apiKeyRevoked: 'trellis.authorization.v1.ApiKeyRevoked',
} as const;

function meta(projectId: string) {
  return { eventId: randomUUID(), occurredAt: new Date(), projectId, traceId: randomUUID().replaceAll('-', '') };
}

/** Authorization's events, encoded with this service's own generated code (its pinned copy of the contract). */
export const events = {
  projectCreated: (projectId: string, name: string, override: Partial<pb.ProjectCreated> = {}) =>
    pb.ProjectCreated.encode(pb.ProjectCreated.fromPartial({ meta: meta(projectId), projectId, name, createdBy: randomUUID(), ...override })).finish(),
  projectDeleted: (projectId: string, override: Partial<pb.ProjectDeleted> = {}) =>
    pb.ProjectDeleted.encode(pb.ProjectDeleted.fromPartial({ meta: meta(projectId), projectId, deletedBy: randomUUID(), ...override })).finish(),
  apiKeyIssued: (key: { keyId: string; projectId: string; sha256: string; role?: string; expiresAt?: Date }, override: Partial<pb.ApiKeyIssued> = {}) =>
    pb.ApiKeyIssued.encode(pb.ApiKeyIssued.fromPartial({
      meta: meta(key.projectId), keyId: key.keyId, projectId: key.projectId, role: key.role ?? 'viewer', secretSha256: key.sha256,
      expiresAt: key.expiresAt, ...override,
    })).finish(),
  apiKeyRevoked: (key: { keyId: string; projectId: string }, override: Partial<pb.ApiKeyRevoked> = {}) =>
    pb.ApiKeyRevoked.encode(pb.ApiKeyRevoked.fromPartial({ meta: meta(key.projectId), keyId: key.keyId, projectId: key.projectId, ...override })).finish(),
};

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

export { drainQueue, eventually };
