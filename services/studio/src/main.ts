import { loadConfig } from '@trellis/platform/config';
import { packageVersion, runMain } from '@trellis/platform/main-guard';
import { envSchema } from './infrastructure/config.js';
import { startStudio } from './infrastructure/start-studio.js';

runMain(async () => {
  await startStudio(loadConfig(envSchema), { version: packageVersion(import.meta.url), installSignalHandlers: true });
});
