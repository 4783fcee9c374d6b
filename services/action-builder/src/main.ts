import { loadConfig } from '@trellis/platform/config';
import { packageVersion, runMain } from '@trellis/platform/main-guard';
import { envSchema } from './infrastructure/config.js';
import { startActionBuilder } from './infrastructure/start-action-builder.js';

runMain(async () => {
  await startActionBuilder(loadConfig(envSchema), { version: packageVersion(import.meta.url), installSignalHandlers: true });
});
