import { loadConfig } from '@trellis/platform/config';
import { packageVersion, runMain } from '@trellis/platform/main-guard';
import { envSchema } from './infrastructure/config.js';
import { startRunner } from './infrastructure/start-runner.js';

runMain(async () => {
  await startRunner(loadConfig(envSchema), { version: packageVersion(import.meta.url), installSignalHandlers: true });
});
