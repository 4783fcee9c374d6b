import { randomBytes, randomUUID } from 'node:crypto';
import { ConfigError } from '@trellis/platform/config';
import { startOnRuntime, type RunningService, type StartOptions as ServiceStartOptions } from '@trellis/platform/service';
import { makeServiceRuntime } from '@trellis/platform/service-runtime';
import type { PasswordHasher } from '../application/ports.js';
import type { Settings } from '../application/settings.js';
import { makeUseCases } from '../application/use-cases.js';
import { makeAuthorizationAuthenticator } from './authenticator.js';
import type { Env } from './config.js';
import { makeSecretBox } from '@trellis/platform/crypto/secret-box';
import { makeSecrets } from './crypto/secrets.js';
import { makeSigningKeyFactory } from './crypto/signing-key-factory.js';
import { BASE_PATH, makeRoutes } from './http/routes.js';
import { startKeyRotation } from './key-rotation.js';
import { makeScryptHasher } from './password-hasher.js';
import { purgeExpired } from './postgres/housekeeping.js';
import { makeQueries } from './postgres/queries.js';
import type { Database } from './postgres/schema.js';
import { makeUnitOfWork } from './postgres/unit-of-work.js';
import { declareTopology } from './rabbitmq/topology.js';
import { makeAccessTokenSigner } from './tokens/access-token-signer.js';
import { makeKeyStore } from './tokens/key-store.js';

/**
 * How long a retired key stays published beyond the token lifetime: it covers replicas that
 * still sign with a key they cached (the key store reloads every minute) and clock skew.
 */
const SIGNING_KEY_MARGIN_SECONDS = 300;

const traceId = () => randomBytes(16).toString('hex');

export function settingsFrom(env: Env): Settings {
  const throttle = (threshold: number) => ({
    threshold, baseDelayMs: env.TRELLIS_LOGIN_LOCKOUT_BASE_MS, maxDelayMs: env.TRELLIS_LOGIN_LOCKOUT_MAX_MS, forgetAfterMs: 24 * 3600_000,
  });
  return {
    accessTokenTtlSeconds: env.TRELLIS_ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: env.TRELLIS_REFRESH_TOKEN_TTL_SECONDS,
    signingKeyRotationSeconds: env.TRELLIS_SIGNING_KEY_ROTATION_SECONDS,
    signingKeyMarginSeconds: SIGNING_KEY_MARGIN_SECONDS,
    usernameThrottle: throttle(env.TRELLIS_LOGIN_MAX_FAILURES),
    addressThrottle: throttle(env.TRELLIS_LOGIN_MAX_FAILURES_PER_ADDRESS),
  };
}

export type StartOptions = ServiceStartOptions & {
  /** Tests use a cheaper scrypt cost. */
  hasher?: PasswordHasher;
};

export type RunningAuthorization = RunningService<Database> & { useCases: ReturnType<typeof makeUseCases>; keyStore: ReturnType<typeof makeKeyStore> };

/**
 * The whole service, wired as main runs it: shared by main.ts and the integration tests (which
 * give it a database, a vhost and port 0). Bootstraps the instance, makes sure a signing key
 * exists, then serves. A start that fails stops what it started and throws.
 */
export async function startAuthorization(env: Env, options: StartOptions): Promise<RunningAuthorization> {
  const runtime = makeServiceRuntime<Database>({ service: 'authorization', version: options.version, env, ...(options.logger ? { logger: options.logger } : {}) });
  const settings = settingsFrom(env);
  const box = makeSecretBox(env.TRELLIS_SECRET_KEY);
  const keyStore = makeKeyStore({ db: runtime.db, box });
  const useCases = makeUseCases({
    uow: makeUnitOfWork(runtime.db),
    clock: () => new Date(),
    ids: randomUUID,
    hasher: options.hasher ?? makeScryptHasher(),
    secrets: makeSecrets(),
    signer: makeAccessTokenSigner({ keyStore, ttlSeconds: settings.accessTokenTtlSeconds }),
    keyFactory: makeSigningKeyFactory(box),
    settings,
  });
  const running = await startOnRuntime(runtime, options, async () => {
    runtime.broker.addTopology(declareTopology);
    runtime.broker.start(); // connects in the background and keeps retrying; readiness reports it
    runtime.startOutboxRelay();

    const bootstrap = await useCases.bootstrapInstance({ adminPassword: env.TRELLIS_ADMIN_PASSWORD, traceId: traceId() });
    if (!bootstrap.ok) {
      throw new ConfigError(bootstrap.error.type === 'AdminPasswordMissing'
        ? 'TRELLIS_ADMIN_PASSWORD must be set the first time Trellis starts (it creates the admin user)'
        : `TRELLIS_ADMIN_PASSWORD is not acceptable: ${bootstrap.error.type}`);
    }
    runtime.logger.info('instance bootstrapped', bootstrap.value);

    const rotation = await startKeyRotation({
      rotate: () => useCases.rotateSigningKeys({ traceId: traceId() }),
      afterEach: async () => {
        await keyStore.reload();
        await purgeExpired(runtime.db, { now: new Date(), forgetThrottleAfterMs: settings.usernameThrottle.forgetAfterMs });
      },
      intervalMs: Math.min(Math.max((settings.signingKeyRotationSeconds * 1000) / 10, 1000), 10 * 60_000),
      logger: runtime.logger,
    });
    runtime.lifecycle.onShutdown('signing key rotation', rotation.stop);
    try {
      await keyStore.activeKey();
    } catch (error) {
      throw new ConfigError('TRELLIS_SECRET_KEY does not open the stored signing keys: it must stay the same across restarts', { cause: error });
    }

    const http = await runtime.serve({
      basePath: BASE_PATH,
      routes: makeRoutes({ useCases, queries: makeQueries(runtime.db), jwks: keyStore.jwks }),
      authenticate: makeAuthorizationAuthenticator({ db: runtime.db, keyStore, apiKeyCacheMs: env.TRELLIS_API_KEY_CACHE_MS }),
    });
    return { http, basePath: BASE_PATH, host: env.TRELLIS_HTTP_HOST };
  });
  return { ...running, useCases, keyStore };
}
