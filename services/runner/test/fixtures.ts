import { randomUUID } from 'node:crypto';
import { loadConfig } from '@trellis/platform/config';
import { generateSealingKeyPair, makeSealer, secretAad } from '@trellis/platform/crypto/sealed-box';
import { handled as handledOn, publishAs, useServiceUnderTest, type Published } from '@trellis/platform/testing/service-harness';
import type { ProjectValues } from '../src/application/ports.js';
import { envSchema } from '../src/infrastructure/config.js';
import * as authorization from '../src/infrastructure/pb/authorization/v1/events.js';
import * as studio from '../src/infrastructure/pb/studio/v1/events.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { declareTopology, eventsQueue } from '../src/infrastructure/rabbitmq/topology.js';
import { startRunner, type RunningRunner } from '../src/infrastructure/start-runner.js';

/** About 3 s of retries: room for a test to make a late project known before a message is dead-lettered. */
export const RETRY_DELAYS_MS = [100, 200, 400, 800, 1600];
export const QUEUE = eventsQueue(RETRY_DELAYS_MS).name;

const meta = (projectId: string) => ({ eventId: randomUUID(), occurredAt: new Date(), projectId, traceId: 'trace' });

/** The runner as main.ts runs it, on a database, vhost, object store and sealing key pair of the test file's own. */
export function useRunner() {
  const keys = generateSealingKeyPair();
  let started: RunningRunner | undefined;
  const runner = useServiceUnderTest<Database>({
    service: 'runner',
    migrations,
    objectStore: true,
    declareTopology: async (channel) => {
      await channel.assertExchange('trellis.studio', 'topic', { durable: true });
      await declareTopology(channel, RETRY_DELAYS_MS);
    },
    env: { TRELLIS_MESSAGE_RETRY_DELAYS_MS: RETRY_DELAYS_MS.join(','), TRELLIS_SEALING_KEY: keys.privateKey },
    start: async (raw, logger) => (started = await startRunner(loadConfig(envSchema, raw), { version: 'test', logger })),
  });
  const handled = async (published: Promise<Published>) => handledOn(runner.database.db, QUEUE, await published);
  const asStudio = (type: string, content: Uint8Array) => publishAs(runner.vhost.url, 'studio', `trellis.studio.v1.${type}`, content);
  const asAuthorization = (type: string, content: Uint8Array) => publishAs(runner.vhost.url, 'authorization', `trellis.authorization.v1.${type}`, content);
  /** Seals as studio does: to the runner's public key, bound to the project and the name. */
  const sealFor = async (publicKey: string, projectId: string, name: string, plaintext: string) => {
    const sealer = makeSealer(publicKey);
    return { sealedValue: Buffer.from(await sealer.seal(plaintext, secretAad(projectId, name))), keyId: sealer.keyId };
  };
  return {
    runner,
    keys,
    /** What runs read (the running runner's own adapter). */
    values: (): ProjectValues => {
      if (!started) throw new Error('the runner has not started');
      return started.projectValues;
    },
    /** A project the runner knows (its ProjectCreated handled). */
    knownProject: async (name = 'a project'): Promise<string> => {
      const projectId = randomUUID();
      await handled(asAuthorization('ProjectCreated',
        authorization.ProjectCreated.encode(authorization.ProjectCreated.fromPartial({ meta: meta(projectId), projectId, name, createdBy: randomUUID() })).finish()));
      return projectId;
    },
    deleteProject: (projectId: string) => handled(asAuthorization('ProjectDeleted',
      authorization.ProjectDeleted.encode(authorization.ProjectDeleted.fromPartial({ meta: meta(projectId), projectId, deletedBy: randomUUID() })).finish())),
    /** Each publishes as studio's outbox does and waits until the runner has handled the event. */
    setVariable: (projectId: string, name: string, value: unknown, revision: number) => handled(asStudio('ProjectVariableSet',
      studio.ProjectVariableSet.encode(studio.ProjectVariableSet.fromPartial({ meta: meta(projectId), name, valueJson: JSON.stringify(value), revision: String(revision) })).finish())),
    deleteVariable: (projectId: string, name: string, revision: number) => handled(asStudio('ProjectVariableDeleted',
      studio.ProjectVariableDeleted.encode(studio.ProjectVariableDeleted.fromPartial({ meta: meta(projectId), name, revision: String(revision) })).finish())),
    /** Sealed to this runner's public key unless `publicKey` names another. */
    setSecret: async (projectId: string, name: string, plaintext: string, revision: number, publicKey = keys.publicKey) => handled(asStudio('ProjectSecretSet',
      studio.ProjectSecretSet.encode(studio.ProjectSecretSet.fromPartial({ meta: meta(projectId), name, revision: String(revision), ...(await sealFor(publicKey, projectId, name, plaintext)) })).finish())),
    deleteSecret: (projectId: string, name: string, revision: number) => handled(asStudio('ProjectSecretDeleted',
      studio.ProjectSecretDeleted.encode(studio.ProjectSecretDeleted.fromPartial({ meta: meta(projectId), name, revision: String(revision) })).finish())),
    asStudio,
    sealFor,
  };
}
