import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
import { declareEmitterExchange } from '@trellis/platform/amqp/topology';
import { generateSealingKeyPair } from '@trellis/platform/crypto/sealed-box';
import { startTestObjectStore, type TestObjectStore } from '@trellis/platform/testing/object-store';
import { createTestVhost, type TestVhost } from '@trellis/platform/testing/rabbitmq';
import { SERVICES, createEmptyDatabase, dropDatabase, entry, runToEnd, startService, type RunningService, type ServiceName } from './harness.js';

export type Platform = {
  vhost: TestVhost;
  store: TestObjectStore;
  secretKey: string;
  /** The runner's sealing key pair: studio seals project secrets to the public key, the runner opens them. */
  runnerKeys: { privateKey: string; publicKey: string };
  databaseUrls: Record<ServiceName, string>;
  running: Record<ServiceName, RunningService>;
  /** The environment a service gets; `overrides` win. */
  envFor: (name: ServiceName, overrides?: Record<string, string>) => Record<string, string>;
  restart: (name: ServiceName, overrides?: Record<string, string>) => Promise<RunningService>;
  stop: () => Promise<void>;
};

export const ADMIN_PASSWORD = 'end-to-end admin password';

/**
 * All five services from their built main.js, on databases, a vhost and an object store of
 * their own: migrated first (migrate also declares the broker topology), then started with
 * authorization first, since the others fetch its published keys.
 */
export async function startPlatform(options: {
  /** A service's own settings; `base` is what it would get, so an override may rewrite it (a proxy's port). */
  overrides?: (name: ServiceName, base: Record<string, string>) => Record<string, string>;
  /** An object store run elsewhere (its own process, which a test may kill); the platform closes it when it stops. */
  store?: TestObjectStore;
} = {}): Promise<Platform> {
  const suffix = randomBytes(4).toString('hex');
  // The builder's folder is its instance's own (as adm gives each instance one): a builder that
  // starts clears what it does not know there, builds of other test instances included.
  const buildWorkDir = path.join(tmpdir(), `trellis-e2e-builds-${suffix}`);
  const [vhost, store] = await Promise.all([createTestVhost(), options.store ?? startTestObjectStore()]);
  const secretKey = randomBytes(32).toString('base64');
  const repositorySecretKey = randomBytes(32).toString('base64');
  const studioSecretKey = randomBytes(32).toString('base64');
  const runnerKeys = generateSealingKeyPair();
  const databases = Object.fromEntries(SERVICES.map(({ name }) => [name, `trellis_e2e_${name.replace('-', '_')}_${suffix}`])) as Record<ServiceName, string>;
  const databaseUrls = {} as Record<ServiceName, string>;
  const running = {} as Record<ServiceName, RunningService>;

  const envFor = (name: ServiceName, overrides: Record<string, string> = {}): Record<string, string> => {
    const base = baseEnvFor(name);
    return { ...base, ...options.overrides?.(name, base), ...overrides };
  };
  const baseEnvFor = (name: ServiceName): Record<string, string> => ({
    TRELLIS_DATABASE_URL: databaseUrls[name],
    TRELLIS_AMQP_URL: vhost.url,
    TRELLIS_S3_ENDPOINT: store.config.endpoint,
    TRELLIS_S3_ACCESS_KEY: store.config.accessKey,
    TRELLIS_S3_SECRET_KEY: store.config.secretKey,
    TRELLIS_S3_BUCKET: store.config.bucket,
    TRELLIS_MESSAGE_RETRY_DELAYS_MS: '100,200',
    ...(name === 'authorization'
      ? { TRELLIS_ADMIN_PASSWORD: ADMIN_PASSWORD, TRELLIS_SECRET_KEY: secretKey }
      : running.authorization ? { TRELLIS_AUTH_JWKS_URL: `${running.authorization.url}/authorization/.well-known/jwks.json` } : {}),
    ...(name === 'repository' ? { TRELLIS_SECRET_KEY: repositorySecretKey } : {}),
    ...(name === 'action-builder' ? { TRELLIS_BUILD_WORK_DIR: buildWorkDir } : {}),
    ...(name === 'studio' ? { TRELLIS_SECRET_KEY: studioSecretKey, TRELLIS_RUNNER_PUBLIC_KEY: runnerKeys.publicKey } : {}),
    ...(name === 'runner' ? { TRELLIS_SEALING_KEY: runnerKeys.privateKey } : {}),
  });

  // Every emitter's exchange first, as provisioning does: a consumer's queue binds to another service's exchange.
  const connection = await amqp.connect(vhost.url);
  try {
    const channel = await connection.createChannel();
    for (const { name } of SERVICES) await declareEmitterExchange(channel, name);
  } finally {
    await connection.close();
  }
  for (const { name } of SERVICES) {
    databaseUrls[name] = await createEmptyDatabase(databases[name]);
    const migrated = await runToEnd(entry(name, 'migrate'), { ...envFor(name), TRELLIS_DATABASE_URL: databaseUrls[name] });
    if (migrated.code !== 0) throw new Error(`${name} migration failed:\n${migrated.output}`);
  }
  for (const { name } of SERVICES) running[name] = await startService(name, envFor(name));

  return {
    vhost, store, secretKey, runnerKeys, databaseUrls, running, envFor,
    restart: async (name, overrides) => {
      await running[name].stop();
      running[name] = await startService(name, envFor(name, overrides));
      return running[name];
    },
    stop: async () => {
      // TRELLIS_E2E_DUMP=1 prints each service's last output lines, to debug a failure.
      if (process.env['TRELLIS_E2E_DUMP']) for (const [name, service] of Object.entries(running)) console.log(`== ${name}\n${service.output().slice(-3000)}`);
      await Promise.all(Object.values(running).map((service) => service.stop()));
      await Promise.all([vhost.close(), store.close()]);
      await Promise.all(Object.values(databases).map(dropDatabase));
      await rm(buildWorkDir, { recursive: true, force: true });
    },
  };
}
