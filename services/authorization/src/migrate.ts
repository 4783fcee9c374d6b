import { runMigrateCommand } from '@trellis/platform/postgres/migrate-command';
import { migrations } from './infrastructure/postgres/migrations.js';
import { declareTopology } from './infrastructure/rabbitmq/topology.js';

await runMigrateCommand('authorization', migrations, declareTopology);
