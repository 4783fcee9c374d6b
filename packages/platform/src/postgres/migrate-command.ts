import { z } from 'zod';
import { ConfigError, loadConfig, postgresUrl } from '../config.js';
import { makeLogger } from '../logger.js';
import { makeDatabase } from './db.js';
import { migrateToLatest, type Migrations } from './migrate.js';

/** The body of every service's `migrate.ts`: applies pending migrations to TRELLIS_DATABASE_URL and exits. */
export async function runMigrateCommand(service: string, migrations: Migrations): Promise<void> {
  const logger = makeLogger({ service });
  try {
    const env = loadConfig(z.object({ TRELLIS_DATABASE_URL: postgresUrl }));
    const database = makeDatabase<unknown>({ connectionString: env.TRELLIS_DATABASE_URL, applicationName: `${service}-migrate`, logger });
    try {
      const applied = await migrateToLatest(database.db, migrations);
      logger.info('migrations applied', { applied, count: applied.length });
    } finally {
      await database.close();
    }
  } catch (error) {
    if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
    else logger.error('migration failed', { error });
    process.exitCode = 1;
  }
}
