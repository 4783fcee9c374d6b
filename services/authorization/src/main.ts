import { loadConfig } from '@trellis/platform/config';
import { packageVersion, runMain } from '@trellis/platform/main-guard';
import { envSchema } from './infrastructure/config.js';
import { startAuthorization } from './infrastructure/start-authorization.js';

runMain(async () => {
  await startAuthorization(loadConfig(envSchema), { version: packageVersion(import.meta.url), installSignalHandlers: true });
});
