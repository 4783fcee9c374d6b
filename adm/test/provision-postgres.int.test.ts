import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseGrants } from '../src/provision/provision-all.js';
import { connectAdmin, dropPostgres, postgresAdminFromEnv, provisionPostgres, type DatabaseGrant } from '../src/provision/postgres.js';
import { postgresPasswordMatches } from '../src/provision/password-hashes.js';
import { testPrefix, testSecrets } from './fixtures.js';

const admin = postgresAdminFromEnv();
const prefix = testPrefix();
const secrets = testSecrets();
const grants = databaseGrants(prefix, secrets);
const [authorization, studio] = grants as [DatabaseGrant, DatabaseGrant, ...DatabaseGrant[]];

const host = process.env['TRELLIS_TEST_PG_HOST'] ?? '127.0.0.1';
const port = process.env['TRELLIS_TEST_PG_PORT'] ?? '5432';

/** A connection as a service role, over TCP with its password, as the service makes it. */
async function connectAs(grant: DatabaseGrant, database = grant.database): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: `postgres://${grant.role}:${encodeURIComponent(grant.password)}@${host}:${port}/${database}` });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function snapshot(): Promise<unknown[]> {
  const client = await connectAdmin(admin);
  try {
    const roles = await client.query(
      `SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolpassword FROM pg_authid WHERE rolname LIKE $1 ORDER BY rolname`,
      [`${prefix}%`],
    );
    const databases = await client.query(
      `SELECT datname, pg_get_userbyid(datdba) AS owner, datacl::text FROM pg_database WHERE datname LIKE $1 ORDER BY datname`,
      [`${prefix}%`],
    );
    return [...roles.rows, ...databases.rows];
  } finally {
    await client.end();
  }
}

describe('PostgreSQL provisioning', () => {
  let firstChanges: string[] = [];

  beforeAll(async () => {
    firstChanges = (await provisionPostgres(admin, grants)).changes;
  });

  afterAll(async () => {
    await dropPostgres(admin, grants);
  });

  it('creates one role and one database per service', () => {
    for (const grant of grants) {
      expect(firstChanges).toContain(`created role ${grant.role}`);
      expect(firstChanges).toContain(`created database ${grant.database}`);
    }
  });

  it('is idempotent: a second run changes nothing and keeps the passwords', async () => {
    const before = await snapshot();
    const { changes } = await provisionPostgres(admin, grants);
    expect(changes).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('stores a verifier of the generated password, never the password', async () => {
    const client = await connectAdmin(admin);
    try {
      const { rows } = await client.query<{ rolpassword: string }>('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [authorization.role]);
      const stored = rows[0]?.rolpassword ?? '';
      expect(stored).toMatch(/^SCRAM-SHA-256\$/);
      expect(stored).not.toContain(authorization.password);
      expect(postgresPasswordMatches(stored, authorization.role, authorization.password)).toBe(true);
      expect(postgresPasswordMatches(stored, authorization.role, `${authorization.password}x`)).toBe(false);
    } finally {
      await client.end();
    }
  });

  it('lets a service role into its own database, where it owns the public schema', async () => {
    const client = await connectAs(authorization);
    try {
      const { rows } = await client.query<{ user: string; db: string }>('SELECT current_user AS user, current_database() AS db');
      expect(rows[0]).toEqual({ user: authorization.role, db: authorization.database });
      await client.query('CREATE TABLE probe (id int primary key)');
      await client.query('DROP TABLE probe');
    } finally {
      await client.end();
    }
  });

  it("refuses a service role on another service's database, with its own credentials", async () => {
    const attempt = connectAs(studio, authorization.database);
    await expect(attempt).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/permission denied for database/) });
  });

  it('gives a service role no power to create roles or databases', async () => {
    const client = await connectAs(studio);
    try {
      await expect(client.query(`CREATE ROLE ${prefix}_intruder`)).rejects.toMatchObject({ code: '42501' });
      await expect(client.query(`CREATE DATABASE ${prefix}_intruder`)).rejects.toMatchObject({ code: '42501' });
      const { rows } = await client.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
      expect(rows[0]?.rolsuper).toBe(false);
    } finally {
      await client.end();
    }
  });

  it('puts back what was changed by hand: attributes, PUBLIC access, password', async () => {
    const client = await connectAdmin(admin);
    try {
      await client.query(`ALTER ROLE ${pg.escapeIdentifier(studio.role)} CREATEDB PASSWORD 'changed-by-hand'`);
      await client.query(`GRANT CONNECT ON DATABASE ${pg.escapeIdentifier(authorization.database)} TO PUBLIC`);
    } finally {
      await client.end();
    }
    const { changes } = await provisionPostgres(admin, grants);
    expect(changes.sort()).toEqual(
      [`reset attributes of role ${studio.role}`, `set password of role ${studio.role}`, `revoked PUBLIC access to database ${authorization.database}`].sort(),
    );
    await expect(connectAs(studio, authorization.database)).rejects.toMatchObject({ code: '42501' });
    expect((await provisionPostgres(admin, grants)).changes).toEqual([]);
  });
});
