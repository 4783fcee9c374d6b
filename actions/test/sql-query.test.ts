import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStandardAction } from './support/run-action.js';

// Real servers of the machine: PostgreSQL (trust) in a database of our own, MariaDB's `test`.
const suffix = randomBytes(4).toString('hex');
const pgDatabase = `trellis_sql_query_${suffix}`;
const mysqlTable = `sql_query_${suffix}`;

const pgInputs = { dialect: 'postgres', host: '127.0.0.1', database: pgDatabase, user: 'postgres', ssl: 'disable' };
const mysqlInputs = { dialect: 'mysql', host: '127.0.0.1', database: 'test', user: 'root', ssl: 'disable' };

async function withPg<T>(database: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function withMysql<T>(work: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: 'test' });
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

const injection = "'); drop table notes; --";

beforeAll(async () => {
  process.env.TRELLIS_ALLOW_PRIVATE_NETWORK = 'true';
  await withPg('postgres', (client) => client.query(`CREATE DATABASE ${pgDatabase}`));
  await withPg(pgDatabase, (client) => client.query(`
    CREATE TABLE notes (id bigserial PRIMARY KEY, body text NOT NULL);
    CREATE TABLE kinds (big bigint, exact numeric(30, 10), day date, at timestamptz, local_at timestamp, raw bytea, doc jsonb);
    INSERT INTO kinds VALUES (9007199254740993, 12345678901234567890.0123456789, '2024-02-29', '2024-02-29T10:20:30.123Z', '2024-02-29 10:20:30', '\\x00ff10', '{"a": [1, 2]}');`));
  await withMysql(async (connection) => {
    await connection.query(`CREATE TABLE ${mysqlTable} (id BIGINT AUTO_INCREMENT PRIMARY KEY, body TEXT NOT NULL, big BIGINT, exact DECIMAL(30,10), at DATETIME, raw BLOB)`);
  });
});

afterAll(async () => {
  delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
  await withPg('postgres', (client) => client.query(`DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`));
  await withMysql((connection) => connection.query(`DROP TABLE IF EXISTS ${mysqlTable}`));
});

describe('sql-query on PostgreSQL', () => {
  it('inserts with parameters and selects the rows back', async () => {
    const inserted = await runStandardAction('sql-query', { ...pgInputs, query: 'INSERT INTO notes (body) VALUES ($1), ($2)', parameters: ['first', 'second'] });
    expect(inserted.error).toBeNull();
    expect(inserted.outputs).toMatchObject({ row_count: 2, columns: [], rows: [] });

    const selected = await runStandardAction('sql-query', { ...pgInputs, query: 'SELECT id, body FROM notes WHERE body = $1', parameters: ['second'] });
    expect(selected.error).toBeNull();
    expect(selected.outputs).toEqual({ rows: [{ id: '2', body: 'second' }], row_count: 1, columns: ['id', 'body'] });
  });

  it('keeps an SQL injection attempt as data: the text is stored verbatim and the table survives', async () => {
    const run = await runStandardAction('sql-query', { ...pgInputs, query: 'INSERT INTO notes (body) VALUES ($1) RETURNING body', parameters: [injection] });
    expect(run.error).toBeNull();
    expect(run.outputs.rows).toEqual([{ body: injection }]);
    const stored = await withPg(pgDatabase, (client) => client.query('SELECT count(*)::int AS n FROM notes WHERE body = $1', [injection]));
    expect(stored.rows[0].n).toBe(1);
  });

  it('refuses a second statement in the query', async () => {
    const run = await runStandardAction('sql-query', { ...pgInputs, query: 'SELECT 1; DROP TABLE notes' });
    expect(run.error?.code).toBe('query_failed');
    expect(run.error?.message).toMatch(/SQLSTATE 42601/);
    const still = await withPg(pgDatabase, (client) => client.query("SELECT to_regclass('notes') AS t"));
    expect(still.rows[0].t).toBe('notes');
  });

  it('stops a statement that runs past statement_timeout_ms', async () => {
    const started = Date.now();
    const run = await runStandardAction('sql-query', { ...pgInputs, query: 'SELECT pg_sleep(5)', statement_timeout_ms: 300 });
    expect(run.error?.code).toBe('statement_timeout');
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('fails with too_many_rows past max_rows, without reading them all', async () => {
    const run = await runStandardAction('sql-query', { ...pgInputs, query: 'SELECT g FROM generate_series(1, 10000000) AS g', max_rows: 1000 });
    expect(run.error?.code).toBe('too_many_rows');
    const exact = await runStandardAction('sql-query', { ...pgInputs, query: 'SELECT g FROM generate_series(1, 1000) AS g', max_rows: 1000 });
    expect(exact.error).toBeNull();
    expect(exact.outputs.row_count).toBe(1000);
  });

  it('refuses writes with read_only', async () => {
    const run = await runStandardAction('sql-query', { ...pgInputs, query: 'DELETE FROM notes', read_only: true });
    expect(run.error?.code).toBe('query_failed');
    expect(run.error?.message).toMatch(/read-only transaction/);
    const reading = await runStandardAction('sql-query', { ...pgInputs, query: 'SELECT count(*) AS n FROM notes', read_only: true });
    expect(reading.outputs.rows).toEqual([{ n: '3' }]);
  });

  it('gives big numbers as strings, dates as ISO text and bytes as base64', async () => {
    const run = await runStandardAction('sql-query', { ...pgInputs, query: 'SELECT * FROM kinds' });
    expect(run.error).toBeNull();
    expect(run.outputs.rows).toEqual([{
      big: '9007199254740993', exact: '12345678901234567890.0123456789', day: '2024-02-29', at: '2024-02-29T10:20:30.123Z',
      local_at: '2024-02-29T10:20:30', raw: Buffer.from([0x00, 0xff, 0x10]).toString('base64'), doc: { a: [1, 2] },
    }]);
  });

  it('reports a failed login as connection_failed without the password', async () => {
    const run = await runStandardAction('sql-query', { ...pgInputs, database: 'no_such_database_here', password: 'hunter2-secret', query: 'SELECT 1' });
    expect(run.error?.code).toBe('connection_failed');
    expect(run.error?.message).not.toContain('hunter2-secret');
  });

  it('refuses a loopback host unless the instance allows private networks', async () => {
    delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
    try {
      const run = await runStandardAction('sql-query', { ...pgInputs, query: 'SELECT 1' });
      expect(run.error?.code).toBe('address_not_allowed');
    } finally {
      process.env.TRELLIS_ALLOW_PRIVATE_NETWORK = 'true';
    }
  });
});

describe('sql-query on MariaDB', () => {
  it('inserts with parameters and selects typed rows back', async () => {
    const inserted = await runStandardAction('sql-query', {
      ...mysqlInputs,
      query: `INSERT INTO ${mysqlTable} (body, big, exact, at, raw) VALUES (?, ?, ?, ?, ?)`,
      parameters: ['first', '9007199254740993', '12345678901234567890.0123456789', '2024-02-29 10:20:30', null],
    });
    expect(inserted.error).toBeNull();
    expect(inserted.outputs.row_count).toBe(1);
    await withMysql((connection) => connection.query(`UPDATE ${mysqlTable} SET raw = x'00ff10'`));

    const selected = await runStandardAction('sql-query', { ...mysqlInputs, query: `SELECT body, big, exact, at, raw FROM ${mysqlTable} WHERE body = ?`, parameters: ['first'] });
    expect(selected.error).toBeNull();
    expect(selected.outputs).toEqual({
      rows: [{ body: 'first', big: '9007199254740993', exact: '12345678901234567890.0123456789', at: '2024-02-29T10:20:30', raw: 'AP8Q' }],
      row_count: 1,
      columns: ['body', 'big', 'exact', 'at', 'raw'],
    });
  });

  it('keeps an SQL injection attempt as data: the text is stored verbatim and the table survives', async () => {
    const run = await runStandardAction('sql-query', { ...mysqlInputs, query: `INSERT INTO ${mysqlTable} (body) VALUES (?)`, parameters: [injection] });
    expect(run.error).toBeNull();
    const [stored] = await withMysql((connection) => connection.query(`SELECT body FROM ${mysqlTable} WHERE body = ?`, [injection]));
    expect(stored).toEqual([{ body: injection }]);
  });

  it('refuses a second statement in the query', async () => {
    const run = await runStandardAction('sql-query', { ...mysqlInputs, query: `SELECT 1; DROP TABLE ${mysqlTable}` });
    expect(run.error?.code).toBe('query_failed');
    expect(run.error?.message).toMatch(/errno 1064/);
    const [tables] = await withMysql((connection) => connection.query('SHOW TABLES LIKE ?', [mysqlTable]));
    expect(tables).toHaveLength(1);
  });

  it('stops a statement that runs past statement_timeout_ms', async () => {
    const started = Date.now();
    const run = await runStandardAction('sql-query', { ...mysqlInputs, query: 'SELECT SLEEP(5) AS slept', statement_timeout_ms: 300 });
    expect(run.error?.code).toBe('statement_timeout');
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('fails with too_many_rows past max_rows', async () => {
    const query = 'SELECT a.seq * 1000 + b.seq AS n FROM seq_0_to_999 a, seq_0_to_999 b';
    const run = await runStandardAction('sql-query', { ...mysqlInputs, query, max_rows: 500 });
    expect(run.error?.code).toBe('too_many_rows');
  });

  it('refuses writes with read_only', async () => {
    const run = await runStandardAction('sql-query', { ...mysqlInputs, query: `DELETE FROM ${mysqlTable}`, read_only: true });
    expect(run.error?.code).toBe('query_failed');
    expect(run.error?.message).toMatch(/READ ONLY/i);
  });

  it('reports a wrong password as connection_failed without the password', async () => {
    const run = await runStandardAction('sql-query', { ...mysqlInputs, user: 'no_such_user', password: 'hunter2-secret', query: 'SELECT 1' });
    expect(run.error?.code).toBe('connection_failed');
    expect(run.error?.message).not.toContain('hunter2-secret');
  });
});
