import { makeServiceAuthenticator } from '@trellis/platform/auth/service-authenticator';
import type { HttpServer } from '@trellis/platform/http/app';
import type { Logger } from '@trellis/platform/logger';
import { makeObjectStore, objectStoreConfigFromEnv } from '@trellis/platform/object-store';
import { makeServiceRuntime, type ServiceRuntime } from '@trellis/platform/service-runtime';
import type { Env } from './config.js';
import { BASE_PATH, makeRoutes } from './http/routes.js';
import { makeProjectObjects } from './object-store/project-objects.js';
import type { Database } from './postgres/schema.js';
import { eventsQueue, makeHandlers } from './rabbitmq/consumers.js';
import { declareTopology } from './rabbitmq/topology.js';

export type RunningRepository = { runtime: ServiceRuntime<Database>; http: HttpServer; stop: () => Promise<void> };

/**
 * Builds and starts the repository from its parsed environment: broker topology and consumer,
 * outbox relay, object store, authenticated HTTP. Used by main.ts and by the tests, so both run
 * the same wiring. `stop` shuts everything down in order (HTTP first, the database pool last).
 */
export async function startRepository(env: Env, options: { version: string; logger?: Logger; installSignalHandlers?: boolean }): Promise<RunningRepository> {
  const runtime = makeServiceRuntime<Database>({ service: 'repository', version: options.version, env, ...(options.logger ? { logger: options.logger } : {}) });
  if (options.installSignalHandlers) runtime.lifecycle.installSignalHandlers();
  const objectStore = makeObjectStore(objectStoreConfigFromEnv(env));

  runtime.broker.addTopology((channel) => declareTopology(channel, env.TRELLIS_MESSAGE_RETRY_DELAYS_MS));
  runtime.broker.start(); // connects in the background and keeps retrying; readiness reports it
  runtime.startOutboxRelay();
  runtime.startConsumer({
    queue: eventsQueue(env.TRELLIS_MESSAGE_RETRY_DELAYS_MS),
    handlers: makeHandlers({ objects: makeProjectObjects(objectStore) }),
  });

  const authenticate = makeServiceAuthenticator({ db: runtime.db, jwksUrl: env.TRELLIS_AUTH_JWKS_URL, apiKeyCacheMs: env.TRELLIS_API_KEY_CACHE_MS });
  try {
    const http = await runtime.serve({
      basePath: BASE_PATH,
      routes: makeRoutes({ db: runtime.db }),
      readiness: [{ name: 'object store', check: objectStore.check }],
      authenticate,
    });
    return { runtime, http, stop: () => runtime.lifecycle.shutdown('stopped') };
  } catch (error) {
    await runtime.lifecycle.shutdown('could not start');
    throw error;
  }
}
