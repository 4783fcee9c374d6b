import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import winston from 'winston';
import { declareEmitterExchange, exchangeOf } from '@trellis/platform/amqp/topology';
import { loadConfig } from '@trellis/platform/config';
import { makeLogger } from '@trellis/platform/logger';
import { eventually } from '@trellis/platform/testing/eventually';
import { makeCall, type Answer, type Call } from '@trellis/platform/testing/http-call';
import { drainQueue } from '@trellis/platform/testing/amqp';
import { handled, publishAs, useServiceUnderTest, type ServiceUnderTest } from '@trellis/platform/testing/service-harness';
import { envSchema } from '../src/infrastructure/config.js';
import * as authorization from '../src/infrastructure/pb/authorization/v1/events.js';
import * as builder from '../src/infrastructure/pb/action-builder/v1/events.js';
import * as repository from '../src/infrastructure/pb/repository/v1/events.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { declareTopology, eventsQueue } from '../src/infrastructure/rabbitmq/topology.js';
import { startRepository } from '../src/infrastructure/start-repository.js';

export const RETRY_DELAYS_MS = [100, 200];
export const QUEUE = eventsQueue(RETRY_DELAYS_MS).name;
/** A queue of the test's own bound to everything the repository emits: what went on the broker. */
export const TAP_QUEUE = 'test.repository.tap';

export type { Answer };

export type TestRepositoryService = ServiceUnderTest<Database> & {
  /** What the test gave the service on top of the harness's own variables (its secret key among them). */
  env: Record<string, string>;
  /** The whole environment of the service, for a second replica of it. */
  fullEnv: () => Record<string, string>;
  /** Every log line the service wrote (JSON), from its start. */
  lines: string[];
  call: Call;
  /** A project the repository has heard of (its ProjectCreated handled), with a token per role. */
  project: () => Promise<{ id: string; token: (role?: string) => Promise<string> }>;
  /** ActionBuildRequested messages published so far (removed from the tap queue), decoded with the repository's own generated code. */
  buildRequests: () => Promise<repository.ActionBuildRequested[]>;
  /** Every message the repository published so far (removed from the tap queue), raw. */
  published: () => Promise<Buffer[]>;
  /** Publishes one of the builder's reports as the builder's outbox relay would, and waits until it is handled. */
  report: (type: 'ActionBuildStarted' | 'ActionBuilt' | 'ActionBuildFailed', content: Uint8Array) => Promise<void>;
};

/** The repository as main.ts runs it, on a database, vhost and object store of the test file's own, logging into `lines`. */
export function useRepository(env: Record<string, string> = {}): TestRepositoryService {
  const lines: string[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const ownEnv = {
    TRELLIS_SECRET_KEY: randomBytes(32).toString('base64'),
    TRELLIS_MESSAGE_RETRY_DELAYS_MS: RETRY_DELAYS_MS.join(','),
    TRELLIS_SCAN_POLL_MS: '500',
    TRELLIS_LOG_LEVEL: 'debug',
    ...env,
  };
  const harness = useServiceUnderTest<Database>({
    service: 'repository',
    migrations,
    objectStore: true,
    declareTopology: async (channel) => {
      await declareEmitterExchange(channel, 'action-builder');
      await declareTopology(channel, RETRY_DELAYS_MS);
      await channel.assertQueue(TAP_QUEUE, { durable: true });
      await channel.bindQueue(TAP_QUEUE, exchangeOf('repository'), '#');
    },
    env: ownEnv,
    start: (raw) => {
      const transports: winston.transport[] = [new winston.transports.Stream({ stream: capture })];
      if (process.env['TEST_LOG_LEVEL']) transports.push(new winston.transports.Console());
      const logger = makeLogger({ service: 'repository', level: 'debug', transports });
      return startRepository(loadConfig(envSchema, raw), { version: 'test', logger });
    },
  });
  const service = harness as TestRepositoryService;
  service.lines = lines;
  service.env = ownEnv;
  service.fullEnv = () => ({
    TRELLIS_HTTP_PORT: '0', TRELLIS_DATABASE_URL: harness.database.url, TRELLIS_AMQP_URL: harness.vhost.url, TRELLIS_AUTH_JWKS_URL: harness.jwks.url,
    TRELLIS_S3_ENDPOINT: harness.store.config.endpoint, TRELLIS_S3_ACCESS_KEY: harness.store.config.accessKey,
    TRELLIS_S3_SECRET_KEY: harness.store.config.secretKey, TRELLIS_S3_BUCKET: harness.store.config.bucket, ...ownEnv,
  });
  service.call = makeCall(() => harness.base);
  service.project = async () => {
    const id = randomUUID();
    const content = authorization.ProjectCreated.encode(authorization.ProjectCreated.fromPartial({
      meta: { eventId: randomUUID(), occurredAt: new Date(), projectId: id, traceId: 'test' }, projectId: id, name: `p-${id.slice(0, 8)}`, createdBy: randomUUID(),
    })).finish();
    await handled(harness.database.db, QUEUE, await publishAs(harness.vhost.url, 'authorization', 'trellis.authorization.v1.ProjectCreated', content));
    return { id, token: (role = 'developer') => harness.jwks.sign({ projectId: id, role }) };
  };
  const tapped: Array<{ type: string; content: Buffer }> = [];
  const tap = async () => {
    tapped.push(...(await drainQueue(harness.vhost.url, TAP_QUEUE)).map((m) => ({ type: String(m.properties.type), content: m.content })));
  };
  service.buildRequests = async () => {
    await tap();
    const requests = tapped.filter((m) => m.type === 'trellis.repository.v1.ActionBuildRequested').map((m) => repository.ActionBuildRequested.decode(m.content));
    tapped.length = 0;
    return requests;
  };
  service.published = async () => {
    await tap();
    const all = tapped.map((m) => m.content);
    tapped.length = 0;
    return all;
  };
  service.report = async (type, content) => {
    await handled(harness.database.db, QUEUE, await publishAs(harness.vhost.url, 'action-builder', `trellis.action_builder.v1.${type}`, content));
  };
  return service;
}

export const meta = (projectId: string): builder.EventMeta => ({ eventId: randomUUID(), occurredAt: new Date(), projectId, traceId: 'builder-trace' });
export { builder };

/** Polls the scan until it has finished (done, failed or canceled). */
export async function finishedScan(service: TestRepositoryService, token: string, sourceId: string, scanId: string): Promise<Answer['body']> {
  const answer = await eventually(
    () => service.call('GET', `/sources/${sourceId}/scans/${scanId}`, { token }),
    (a) => a.status === 200 && ['done', 'failed', 'canceled'].includes(String(a.body.status)),
    30_000,
  );
  return answer.body;
}

/** Creates a source, scans it and answers the finished scan. */
export async function scanOnce(service: TestRepositoryService, token: string, sourceId: string): Promise<Answer['body']> {
  const requested = await service.call('POST', `/sources/${sourceId}/scan`, { token });
  if (requested.status !== 202) throw new Error(`scan: ${requested.status} ${requested.text}`);
  return finishedScan(service, token, sourceId, requested.body.id);
}
