import { spawn } from 'node:child_process';
import pg from 'pg';

/**
 * The service databases as a backup sees them: pg_dump and pg_restore run as child processes
 * (Debian's postgresql-client on PATH), as the service's own role, over its own URL.
 */

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    const errors: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
    child.on('error', (error) => reject(new Error(`${command} could not be started (${error.message}): install postgresql-client`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} failed (exit ${code}): ${Buffer.concat(errors).toString('utf8').trim().slice(-800)}`));
    });
  });
}

/**
 * One database in pg_dump's custom format, into a file: pg_dump takes one snapshot, so the dump
 * is consistent on its own while the service keeps writing. No owner, no grants: the restore
 * gives everything to the role of the instance it lands in.
 */
export function dumpDatabase(url: string, file: string): Promise<void> {
  return run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`, `--dbname=${url}`]);
}

/** Restores a dump into a database emptied by `emptyDatabase`, owned by the role connecting. */
export function restoreDatabase(url: string, file: string): Promise<void> {
  return run('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${url}`, file]);
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The last migration applied (Kysely's `kysely_migration` table), or null when none ran. */
export function schemaVersion(url: string): Promise<string | null> {
  return withClient(url, async (client) => {
    const exists = await client.query<{ t: string | null }>("SELECT to_regclass('public.kysely_migration')::text AS t");
    if (!exists.rows[0]?.t) return null;
    const { rows } = await client.query<{ name: string | null }>('SELECT max(name) AS name FROM kysely_migration');
    return rows[0]?.name ?? null;
  });
}

/** Rows per table of the public schema (exact counts), by table name. */
export function rowCounts(url: string): Promise<Record<string, number>> {
  return withClient(url, async (client) => {
    const tables = await client.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
    const counts: Record<string, number> = {};
    for (const { name } of tables.rows) {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM public.${pg.escapeIdentifier(name)}`);
      counts[name] = Number(rows[0]?.n ?? 0);
    }
    return counts;
  });
}

/** Drops everything in the public schema (the service role owns it all) and makes it anew. */
export function emptyDatabase(url: string): Promise<void> {
  return withClient(url, async (client) => {
    await client.query('DROP SCHEMA IF EXISTS public CASCADE');
    await client.query('CREATE SCHEMA public');
  });
}
