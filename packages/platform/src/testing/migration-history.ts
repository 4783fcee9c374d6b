import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { Migrations } from '../postgres/migrate.js';
import { migrateToLatest } from '../postgres/migrate.js';
import { seedEveryTable } from './migration-seed.js';
import { databaseUrl, testAdminUrl } from './postgres.js';

const run = promisify(execFile);

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A database of its own for `work`, dropped after it whatever happens. */
async function withDatabase<T>(prefix: string, work: (url: string) => Promise<T>): Promise<T> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await withClient(testAdminUrl(), (admin) => admin.query(`create database ${pg.escapeIdentifier(name)}`));
  try {
    return await work(databaseUrl(testAdminUrl(), name));
  } finally {
    await withClient(testAdminUrl(), (admin) => admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`));
  }
}

async function withKysely<T>(url: string, work: (db: Kysely<unknown>) => Promise<T>): Promise<T> {
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

/**
 * The schema as `pg_dump --schema-only` writes it, without what differs between two databases of
 * the same schema (comments, settings, pg_dump's session keys): tables, columns, types,
 * defaults, constraints, indexes, functions, triggers.
 */
export async function schemaOf(url: string): Promise<string> {
  const { stdout } = await run('pg_dump', ['--schema-only', '--no-owner', '--no-privileges', `--dbname=${url}`], { maxBuffer: 64 * 1024 * 1024 });
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('--') && !/^(SET |SELECT pg_catalog\.set_config|\\(un)?restrict )/.test(line))
    .join('\n');
}

/** The schema of a fresh database migrated from scratch. */
async function schemaFromScratch(prefix: string, migrations: Migrations): Promise<string> {
  return withDatabase(prefix, async (url) => {
    await withKysely(url, (db) => migrateToLatest(db, migrations));
    return schemaOf(url);
  });
}

/**
 * A database migrated to the first `count` migrations, a made-up row put in every table, then
 * migrated to the end: what the migrations did with rows in place, the tables that had one, and
 * the schema at the end.
 */
async function upgradeFrom(prefix: string, migrations: Migrations, count: number): Promise<{ applied: string[]; seeded: string[]; skipped: { table: string; error: string }[]; schema: string }> {
  const names = Object.keys(migrations).sort();
  return withDatabase(prefix, async (url) => {
    if (count > 0) {
      await withKysely(url, async (db) => {
        const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...migrations }) } });
        const { error } = await migrator.migrateTo(names[count - 1] as string);
        if (error) throw new Error(`migrating to ${names[count - 1]} failed`, { cause: error });
      });
    }
    const { seeded, skipped } = await withClient(url, async (client) => {
      await client.query('begin');
      const outcome = await seedEveryTable(client);
      await client.query('commit');
      return outcome;
    });
    const applied = await withKysely(url, (db) => migrateToLatest(db, migrations));
    return { applied, seeded, skipped, schema: await schemaOf(url) };
  });
}

/**
 * The tests every service's migrations pass: forward-only (no `down`), and from the schema after
 * each earlier migration, with rows in every table, migrating to the end succeeds and gives the
 * schema a database migrated from scratch has. One database per step on the shared server
 * (`trellis_mig_<service>_…`), dropped after it.
 */
export function describeMigrationHistory(service: string, migrations: Migrations): void {
  const prefix = `trellis_mig_${service.replace(/-/g, '_')}`;
  const names = Object.keys(migrations).sort();
  describe(`${service}'s migrations`, () => {
    it('are forward-only: none has a down', () => {
      expect(names.filter((name) => migrations[name]?.down !== undefined)).toEqual([]);
    });

    it('are listed in name order, each name numbered (NNNN_what)', () => {
      expect(Object.keys(migrations)).toEqual(names);
      for (const name of names) expect(name).toMatch(/^\d{4}_[a-z0-9_]+$/);
    });

    it('migrate every earlier schema, with rows in its tables, to the schema of a fresh database', async () => {
      const reference = await schemaFromScratch(prefix, migrations);
      expect(reference).toContain('CREATE TABLE');
      let tablesWithRows = 0;
      for (let count = 0; count < names.length; count++) {
        const from = count === 0 ? 'an empty database' : `after ${names[count - 1]}`;
        const outcome = await upgradeFrom(prefix, migrations, count);
        expect(outcome.applied, from).toEqual(names.slice(count));
        expect(outcome.schema, `the schema migrated from ${from}`).toBe(reference);
        tablesWithRows += outcome.seeded.length;
        if (count === names.length - 1) {
          // The last earlier schema has the most tables: most of them take a made-up row.
          expect(outcome.seeded.length, `tables seeded after ${names[count - 1]}; skipped: ${JSON.stringify(outcome.skipped)}`).toBeGreaterThan(outcome.skipped.length);
        }
      }
      expect(tablesWithRows).toBeGreaterThan(0);
    }, 180_000);
  });
}
