import { createHash, randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { makeDatabase } from '../postgres/db.js';
import { migrateToLatest, type Migrations } from '../postgres/migrate.js';
import { makeLogger } from '../logger.js';

/** A superuser connection for tests; by default the current OS user over the local socket. */
export function testAdminUrl(): string {
  return process.env['TRELLIS_TEST_PG_ADMIN_URL'] ?? `postgresql://${encodeURIComponent(userInfo().username)}@localhost/postgres?host=/var/run/postgresql`;
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testAdminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function fingerprint(migrations: Migrations): string {
  const hash = createHash('sha256');
  for (const [name, migration] of Object.entries(migrations).sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(name).update(migration.up.toString()).update(migration.down?.toString() ?? '');
  }
  return hash.digest('hex').slice(0, 10);
}

/** Migrates a template once per migration set (under an advisory lock), so each test file clones it in milliseconds. */
async function ensureTemplate(service: string, migrations: Migrations): Promise<string> {
  const prefix = `trellis_tpl_${service.replace(/-/g, '_')}_`;
  const template = `${prefix}${fingerprint(migrations)}`;
  return withAdmin(async (admin) => {
    await admin.query('select pg_advisory_lock(hashtext($1))', [prefix]);
    try {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [template]);
      if (exists.rowCount) return template;
      const building = `${template}_building`;
      await admin.query(`drop database if exists ${pg.escapeIdentifier(building)}`);
      await admin.query(`create database ${pg.escapeIdentifier(building)}`);
      const { db } = makeDatabase<unknown>({
        connectionString: databaseUrl(testAdminUrl(), building),
        applicationName: 'test-template',
        logger: makeLogger({ service: 'test', silent: true }),
      });
      try {
        await migrateToLatest(db, migrations);
      } finally {
        await db.destroy();
      }
      await admin.query(`alter database ${pg.escapeIdentifier(building)} rename to ${pg.escapeIdentifier(template)}`);
      const stale = await admin.query<{ datname: string }>('select datname from pg_database where datname like $1 and datname <> $2', [`${prefix}%`, template]);
      for (const { datname } of stale.rows) await admin.query(`drop database if exists ${pg.escapeIdentifier(datname)} with (force)`);
      return template;
    } finally {
      await admin.query('select pg_advisory_unlock(hashtext($1))', [prefix]);
    }
  });
}

export type TestDatabase<Schema> = { name: string; url: string; db: Kysely<Schema>; close: () => Promise<void> };

/** A fresh, migrated database of its own for one test file; close() drops it. */
export async function createTestDatabase<Schema>(options: { service: string; migrations: Migrations }): Promise<TestDatabase<Schema>> {
  const template = await ensureTemplate(options.service, options.migrations);
  const name = `trellis_test_${options.service.replace(/-/g, '_')}_${randomBytes(5).toString('hex')}`;
  await withAdmin(async (admin) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database ${pg.escapeIdentifier(name)} template ${pg.escapeIdentifier(template)}`);
        return;
      } catch (error) {
        // Two files cloning the same template at the same instant: one waits for the other.
        if (attempt > 20 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  });
  const url = databaseUrl(testAdminUrl(), name);
  const database = makeDatabase<Schema>({ connectionString: url, applicationName: 'test', logger: makeLogger({ service: 'test', silent: true }) });
  return {
    name,
    url,
    db: database.db,
    close: async () => {
      await database.close();
      await withAdmin((admin) => admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`));
    },
  };
}
