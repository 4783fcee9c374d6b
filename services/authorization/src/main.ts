import { randomUUID } from 'node:crypto';
import { loadConfig } from '@trellis/platform/config';
import { packageVersion, runMain } from '@trellis/platform/main-guard';
import { makeServiceRuntime } from '@trellis/platform/service-runtime';
import { makeUseCases } from './application/use-cases.js';
import { envSchema } from './infrastructure/config.js';
import { BASE_PATH, makeRoutes } from './infrastructure/http/routes.js';
import { makeScryptHasher } from './infrastructure/password-hasher.js';
import type { Database } from './infrastructure/postgres/schema.js';
import { makeUnitOfWork } from './infrastructure/postgres/unit-of-work.js';
import { declareTopology } from './infrastructure/rabbitmq/topology.js';

runMain(async () => {
  const env = loadConfig(envSchema);
  const runtime = makeServiceRuntime<Database>({ service: 'authorization', version: packageVersion(import.meta.url), env });
  runtime.lifecycle.installSignalHandlers();

  const useCases = makeUseCases({
    uow: makeUnitOfWork(runtime.db),
    clock: () => new Date(),
    ids: randomUUID,
    hasher: makeScryptHasher(),
  });

  runtime.broker.addTopology(declareTopology);
  runtime.broker.start(); // connects in the background and keeps retrying; readiness reports it
  runtime.startOutboxRelay();

  const bootstrap = await useCases.bootstrapInstance({ adminPassword: env.TRELLIS_ADMIN_PASSWORD, traceId: randomUUID().replaceAll('-', '') });
  if (!bootstrap.ok) {
    const why = bootstrap.error.type === 'AdminPasswordMissing'
      ? 'TRELLIS_ADMIN_PASSWORD must be set the first time Trellis starts (it creates the admin user)'
      : `TRELLIS_ADMIN_PASSWORD is not acceptable: ${bootstrap.error.type}`;
    runtime.logger.error('cannot bootstrap the instance', { reason: why });
    await runtime.lifecycle.shutdown('bootstrap failed');
    process.exit(1);
  }
  runtime.logger.info('instance bootstrapped', bootstrap.value);

  await runtime.serve({ basePath: BASE_PATH, routes: makeRoutes() });
});
