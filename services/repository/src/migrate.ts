import { runMigrateCommand } from '@trellis/platform/postgres/migrate-command';
import { migrations } from './infrastructure/postgres/migrations.js';

await runMigrateCommand('repository', migrations);
