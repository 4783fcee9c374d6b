import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger.js';

// int8 (bigserial, count(*)) as JS numbers: our counters and sequences stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type DbOptions = {
  connectionString: string;
  poolSize?: number;
  applicationName: string;
  logger: Logger;
};

export type Database<Schema> = { db: Kysely<Schema>; pool: pg.Pool; close: () => Promise<void> };

/**
 * A kysely instance over a pg pool. Idle-client errors (the server restarting) are logged
 * instead of crashing the process; the pool reconnects on the next query.
 */
export function makeDatabase<Schema>(options: DbOptions): Database<Schema> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    application_name: options.applicationName,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (error) => options.logger.warn('idle database connection lost', { error: error.message }));
  // pg-pool listens for errors only on idle clients: a checked-out client whose connection dies
  // would emit an unhandled 'error' and crash the process. The failed query still rejects, and
  // the pool drops the dead client when it is released.
  pool.on('connect', (client) => {
    client.on('error', (error) => options.logger.warn('database connection lost', { error: error.message }));
  });
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool, close: () => db.destroy() };
}

export async function checkDatabase(db: Kysely<unknown>): Promise<void> {
  await sql`select 1`.execute(db);
}
