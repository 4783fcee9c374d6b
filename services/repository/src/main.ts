import { declareConsumerQueue, declareEmitterExchange } from '@trellis/platform/amqp/topology';
import { loadConfig } from '@trellis/platform/config';
import { packageVersion, runMain } from '@trellis/platform/main-guard';
import { makeObjectStore, objectStoreConfigFromEnv } from '@trellis/platform/object-store';
import { makeServiceRuntime } from '@trellis/platform/service-runtime';
import { envSchema } from './infrastructure/config.js';
import { BASE_PATH, makeRoutes } from './infrastructure/http/routes.js';
import type { Database } from './infrastructure/postgres/schema.js';
import { EMITTER, eventsQueue, makeHandlers } from './infrastructure/rabbitmq/consumers.js';

runMain(async () => {
  const env = loadConfig(envSchema);
  const runtime = makeServiceRuntime<Database>({ service: 'repository', version: packageVersion(import.meta.url), env });
  runtime.lifecycle.installSignalHandlers();

  const queue = eventsQueue(env.TRELLIS_MESSAGE_RETRY_DELAYS_MS);
  runtime.broker.addTopology((channel) => declareEmitterExchange(channel, EMITTER));
  runtime.broker.addTopology((channel) => declareConsumerQueue(channel, queue));
  runtime.broker.start(); // connects in the background and keeps retrying; readiness reports it
  runtime.startOutboxRelay();
  runtime.startConsumer({ queue, handlers: makeHandlers() });

  const objectStore = makeObjectStore(objectStoreConfigFromEnv(env));
  await runtime.serve({ basePath: BASE_PATH, routes: makeRoutes(), readiness: [{ name: 'object store', check: objectStore.check }] });
});
