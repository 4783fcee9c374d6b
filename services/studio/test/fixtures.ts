import { randomBytes, randomUUID } from 'node:crypto';
import { exchangeOf } from '@trellis/platform/amqp/topology';
import { loadConfig } from '@trellis/platform/config';
import { generateSealingKeyPair } from '@trellis/platform/crypto/sealed-box';
import { drainQueue } from '@trellis/platform/testing/amqp';
import { makeCapturingLogger } from '@trellis/platform/testing/log-capture';
import { handled as handledOn, publishAs, useServiceUnderTest } from '@trellis/platform/testing/service-harness';
import { envSchema } from '../src/infrastructure/config.js';
import * as authorization from '../src/infrastructure/pb/authorization/v1/events.js';
import * as builder from '../src/infrastructure/pb/action-builder/v1/events.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { declareTopology, eventsQueue } from '../src/infrastructure/rabbitmq/topology.js';
import { startStudio } from '../src/infrastructure/start-studio.js';

/** About 3 s of retries: room for a test to make a late project known before a message is dead-lettered. */
export const RETRY_DELAYS_MS = [100, 200, 400, 800, 1600];
export const QUEUE = eventsQueue(RETRY_DELAYS_MS).name;
/** A queue of the test's own bound to everything studio emits (declared before studio starts): what went on the broker. */
export const TAP_QUEUE = 'test.studio.tap';

/** A message studio published, as the tap queue got it. */
export type Tapped = { type: string; messageId: string; content: Buffer };

/** Studio as main.ts runs it, on a database, vhost, JWKS and object store of the test file's own; `env` adds to (or overrides) its variables. */
export function useStudio(env: Record<string, string> = {}) {
  /** The runner's sealing key pair: studio gets the public key, a test opens with the private one. */
  const runnerKeys = generateSealingKeyPair();
  const secretKey = randomBytes(32).toString('base64');
  /** Every log line studio writes (JSON), from its start. */
  const { logger, lines } = makeCapturingLogger('studio');
  const studio = useServiceUnderTest<Database>({
    service: 'studio',
    migrations,
    objectStore: true,
    declareTopology: async (channel) => {
      await channel.assertExchange('trellis.action-builder', 'topic', { durable: true });
      await channel.assertExchange('trellis.runner', 'topic', { durable: true });
      await declareTopology(channel, RETRY_DELAYS_MS);
      await channel.assertQueue(TAP_QUEUE, { durable: true });
      await channel.bindQueue(TAP_QUEUE, exchangeOf('studio'), '#');
    },
    env: {
      TRELLIS_MESSAGE_RETRY_DELAYS_MS: RETRY_DELAYS_MS.join(','), TRELLIS_SECRET_KEY: secretKey, TRELLIS_RUNNER_PUBLIC_KEY: runnerKeys.publicKey,
      TRELLIS_LOG_LEVEL: 'debug', ...env,
    },
    start: (raw) => startStudio(loadConfig(envSchema, raw), { version: 'test', logger }),
  });
  const handled = async (published: Promise<{ messageId: string }>) => handledOn(studio.database.db, QUEUE, await published);
  return {
    studio,
    runnerKeys,
    secretKey,
    lines,
    /** Every message studio published since the last call (removed from the tap queue). */
    published: async (): Promise<Tapped[]> => (await drainQueue(studio.vhost.url, TAP_QUEUE))
      .map((m) => ({ type: String(m.properties.type), messageId: String(m.properties.messageId), content: m.content })),
    /** A project studio knows (its ProjectCreated handled). */
    knownProject: async (name = 'a project'): Promise<string> => {
      const projectId = randomUUID();
      const meta = { eventId: randomUUID(), occurredAt: new Date(), projectId, traceId: 'trace' };
      await handled(publishAs(studio.vhost.url, 'authorization', 'trellis.authorization.v1.ProjectCreated',
        authorization.ProjectCreated.encode(authorization.ProjectCreated.fromPartial({ meta, projectId, name, createdBy: randomUUID() })).finish()));
      return projectId;
    },
    /** Publishes an ActionBuilt as the builder's outbox does, and waits until studio has handled it. */
    built: async (message: builder.ActionBuilt) =>
      handled(publishAs(studio.vhost.url, 'action-builder', 'trellis.action_builder.v1.ActionBuilt', builder.ActionBuilt.encode(message).finish())),
    /** Publishes one of the runner's answers (`WorkflowDeployed`, ...) as its outbox does, and waits until studio has handled it. */
    fromRunner: async (name: 'WorkflowDeployed' | 'WorkflowDeployFailed' | 'WorkflowUndeployed', content: Uint8Array) =>
      handled(publishAs(studio.vhost.url, 'runner', `trellis.runner.v1.${name}`, content)),
    publishBuilt: (content: Uint8Array) => publishAs(studio.vhost.url, 'action-builder', 'trellis.action_builder.v1.ActionBuilt', content),
  };
}

/** An ActionBuilt as the builder emits it; `overrides` change the action's fields. */
export function anActionBuilt(projectId: string, action: Partial<builder.ActionDescription> = {}, message: Partial<builder.ActionBuilt> = {}): builder.ActionBuilt {
  return builder.ActionBuilt.fromPartial({
    meta: { eventId: randomUUID(), occurredAt: new Date(), projectId, traceId: 'trace' },
    buildId: randomUUID(), sourceId: randomUUID(), commit: 'a'.repeat(40), folder: 'actions/add-one',
    action: {
      kind: 'Processor', id: 'add-one', version: '1.0.0', name: 'Add one', description: 'Adds one to a number.', runtime: 'nodejs',
      handler: 'handler.js', categories: ['math'], format: 'trellis',
      inputs: [{ name: 'n', type: 'integer', help: 'The number', optional: false, defaultJson: '0' }],
      outputs: [{ name: 'n', type: 'integer', help: 'n + 1' }],
      resources: { cpu: 0.5, memoryBytes: '268435456', timeoutMs: '60000' },
      ...action,
    },
    digest: 'd'.repeat(64), artifactObject: `action-builder/projects/${projectId}/artifacts/${'d'.repeat(64)}.tar.gz`, artifactSize: '1234',
    builtAt: new Date(),
    ...message,
  });
}
