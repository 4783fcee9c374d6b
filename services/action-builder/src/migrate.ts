import { loadConfig } from '@trellis/platform/config';
import { runMigrateCommand } from '@trellis/platform/postgres/migrate-command';
import { envSchema } from './infrastructure/config.js';
import { migrations } from './infrastructure/postgres/migrations.js';
import { declareTopology } from './infrastructure/rabbitmq/topology.js';

const { TRELLIS_MESSAGE_RETRY_DELAYS_MS: retryDelays } = loadConfig(envSchema.pick({ TRELLIS_MESSAGE_RETRY_DELAYS_MS: true }));
await runMigrateCommand('action-builder', migrations, (channel) => declareTopology(channel, retryDelays));
