// @ts-check
import pg from 'pg';
import { ActionError } from './errors.js';
import { isoDateTime, rowObject, withoutPassword } from './values.js';

/** Rows asked from the server per round trip: memory holds at most max_rows plus one batch. */
const BATCH_ROWS = 500;

const OID = { date: 1082, timestamp: 1114, timestamptz: 1184 };

/** Dates and local timestamps stay as written (no shift through the runner's time zone). */
const types = {
  /** @param {number} oid @param {'text' | 'binary'} [format] */
  getTypeParser(oid, format) {
    if (oid === OID.date) return (/** @type {string} */ text) => text;
    if (oid === OID.timestamp) return isoDateTime;
    if (oid === OID.timestamptz) return (/** @type {string} */ text) => new Date(text);
    return pg.types.getTypeParser(oid, format);
  },
};

/**
 * @param {import('./handler.js').Settings} settings
 * @returns {Promise<import('./values.js').QueryResult>}
 */
export async function runPostgres(settings) {
  const client = new pg.Client({
    host: settings.address,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    password: settings.password ?? undefined,
    ssl: tlsOptions(settings),
    // Sent at login, so it holds for every statement of the session, the transaction's included.
    statement_timeout: settings.statementTimeoutMs,
    connectionTimeoutMillis: 10_000,
    application_name: 'trellis-sql-query',
    types,
  });
  // A socket we close on purpose (too many rows) reports an error here; the query already failed.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw new ActionError(
      `cannot connect to PostgreSQL at ${settings.host}:${settings.port}: ${withoutPassword(String(/** @type {Error} */ (error).message), settings.password)}`,
      'connection_failed',
    );
  }
  try {
    if (settings.readOnly) await client.query('BEGIN READ ONLY');
    const result = await streamRows(client, settings);
    if (settings.readOnly) await client.query('COMMIT');
    return result;
  } catch (error) {
    throw queryError(error);
  } finally {
    await closeSoon(client);
  }
}

/** @param {import('./handler.js').Settings} settings */
function tlsOptions(settings) {
  if (settings.ssl === 'disable') return false;
  if (settings.ssl === 'require') return { rejectUnauthorized: false };
  // We connect to the checked address; the certificate is still checked against the host name.
  return { rejectUnauthorized: true, servername: settings.host, ...(settings.sslCa ? { ca: settings.sslCa } : {}) };
}

/**
 * Runs the statement through the extended protocol (so one statement only, values apart from the
 * text) and reads its rows a batch at a time, stopping at max_rows + 1.
 * @param {pg.Client} client
 * @param {import('./handler.js').Settings} settings
 * @returns {Promise<import('./values.js').QueryResult>}
 */
function streamRows(client, settings) {
  return new Promise((resolve, reject) => {
    // `rows` (a batch per Execute) is read by pg's Query but missing from its type declarations.
    const config = /** @type {pg.QueryConfig} */ ({ text: settings.query, values: [...settings.parameters], rows: BATCH_ROWS, rowMode: 'array' });
    const query = new pg.Query(config);
    /** @type {unknown[][]} */
    const rows = [];
    let stopped = false;
    query.on('row', (/** @type {unknown[]} */ row) => {
      if (stopped) return;
      if (rows.length === settings.maxRows) {
        stopped = true;
        reject(tooManyRows(settings.maxRows));
        // Closing the connection ends the statement (and rolls back what it changed) without reading on.
        client.connection.stream.destroy();
        return;
      }
      rows.push(row);
    });
    query.on('error', (error) => { if (!stopped) reject(error); });
    query.on('end', (/** @type {pg.QueryResult} */ result) => {
      if (stopped) return;
      const columns = (result.fields ?? []).map((field) => field.name);
      resolve({
        rows: rows.map((row) => rowObject(columns, row)),
        row_count: columns.length > 0 ? rows.length : (result.rowCount ?? 0),
        columns,
      });
    });
    client.query(query);
  });
}

/** @param {number} maxRows */
export function tooManyRows(maxRows) {
  return new ActionError(`the statement returns more than max_rows (${maxRows}) rows: add a LIMIT or a WHERE, or raise max_rows`, 'too_many_rows');
}

/** @param {unknown} error */
function queryError(error) {
  if (error instanceof ActionError) return error;
  const { message, code } = /** @type {{ message: string, code?: string }} */ (error);
  if (code === '57014') return new ActionError(`the statement was stopped by statement_timeout_ms: ${message}`, 'statement_timeout');
  if (error instanceof pg.DatabaseError) return new ActionError(`PostgreSQL refused the statement: ${message} (SQLSTATE ${code})`, 'query_failed');
  return new ActionError(`the statement failed: ${message}`, 'query_failed');
}

/** Ends the session; a connection already closed on purpose may never confirm, so we do not wait long. @param {pg.Client} client */
async function closeSoon(client) {
  await Promise.race([client.end().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
}
