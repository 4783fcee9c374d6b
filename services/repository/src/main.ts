import { loadConfig } from '@trellis/platform/config';
import { packageVersion, runMain } from '@trellis/platform/main-guard';
import { envSchema } from './infrastructure/config.js';
import { startRepository } from './infrastructure/start-repository.js';

runMain(async () => {
  await startRepository(loadConfig(envSchema), { version: packageVersion(import.meta.url), installSignalHandlers: true });
});
