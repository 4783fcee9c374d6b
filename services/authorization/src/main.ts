import { loadConfig } from '@trellis/platform/config';
import { runMain } from '@trellis/platform/main-guard';
import { envSchema } from './infrastructure/config.js';
import { startAuthorization } from './infrastructure/start-authorization.js';

runMain(async () => {
  const env = loadConfig(envSchema);
  const { runtime } = await startAuthorization(env);
  runtime.lifecycle.installSignalHandlers();
});
