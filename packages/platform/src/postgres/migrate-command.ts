import amqp, { type Channel } from 'amqplib';
import { z } from 'zod';
import { ConfigError, amqpUrl, loadConfig, postgresUrl } from '../config.js';
import { makeLogger } from '../logger.js';
import { makeDatabase } from './db.js';
import { migrateToLatest, type Migrations } from './migrate.js';

export type TopologySetup = (channel: Channel) => Promise<void>;

async function declareTopology(url: string, setup: TopologySetup): Promise<void> {
  const connection = await amqp.connect(url);
  try {
    await setup(await connection.createChannel());
  } finally {
    await connection.close();
  }
}

/**
 * The body of every service's `migrate.ts`: applies pending database migrations and declares
 * the service's broker topology (its exchange, its queues and their bindings). It runs before
 * any service starts, so no event is published to an exchange whose consumers' queues do not
 * exist yet, whatever order the services then start in.
 */
export async function runMigrateCommand(service: string, migrations: Migrations, topology?: TopologySetup): Promise<void> {
  const logger = makeLogger({ service });
  try {
    const env = loadConfig(z.object({
      TRELLIS_DATABASE_URL: postgresUrl,
      TRELLIS_AMQP_URL: topology ? amqpUrl : amqpUrl.optional(),
    }));
    const database = makeDatabase<unknown>({ connectionString: env.TRELLIS_DATABASE_URL, applicationName: `${service}-migrate`, logger });
    try {
      const applied = await migrateToLatest(database.db, migrations);
      logger.info('migrations applied', { applied, count: applied.length });
    } finally {
      await database.close();
    }
    if (topology && env.TRELLIS_AMQP_URL) {
      await declareTopology(env.TRELLIS_AMQP_URL, topology);
      logger.info('broker topology declared');
    }
  } catch (error) {
    if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
    else logger.error('migration failed', { error });
    process.exitCode = 1;
  }
}
