// @ts-check
import { connect as connectSocket } from 'node:net';
import mysql from 'mysql2';
import { ActionError } from './errors.js';
import { tooManyRows } from './postgres.js';
import { isoDateTime, rowObject, withoutPassword } from './values.js';

/** MariaDB and MySQL name their "statement ran too long" errors differently. */
const TIMEOUT_ERRNOS = new Set([1969 /* MariaDB ER_STATEMENT_TIMEOUT */, 3024 /* MySQL ER_QUERY_TIMEOUT */]);

/** Extra time the server gets to stop the statement itself before the client gives up. */
const CLIENT_GRACE_MS = 2000;

/**
 * @param {import('./handler.js').Settings} settings
 * @returns {Promise<import('./values.js').QueryResult>}
 */
export async function runMysql(settings) {
  const connection = mysql.createConnection({
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    password: settings.password ?? undefined,
    ssl: tlsOptions(settings),
    // The host name stays for TLS; the socket goes to the address the network guard checked.
    stream: () => connectSocket(settings.port, settings.address),
    multipleStatements: false,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    connectTimeout: 10_000,
  });
  connection.on('error', () => {});
  try {
    await new Promise((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve(undefined))));
  } catch (error) {
    connection.destroy();
    throw new ActionError(
      `cannot connect to MySQL at ${settings.host}:${settings.port}: ${withoutPassword(String(/** @type {Error} */ (error).message), settings.password)}`,
      'connection_failed',
    );
  }
  try {
    await limitStatementTime(connection, settings.statementTimeoutMs);
    if (settings.readOnly) await simple(connection, 'START TRANSACTION READ ONLY');
    const result = await streamRows(connection, settings);
    if (settings.readOnly) await simple(connection, 'COMMIT');
    return result;
  } catch (error) {
    throw queryError(error);
  } finally {
    connection.destroy();
  }
}

/** @param {import('./handler.js').Settings} settings */
function tlsOptions(settings) {
  if (settings.ssl === 'disable') return undefined;
  if (settings.ssl === 'require') return { rejectUnauthorized: false };
  return { rejectUnauthorized: true, verifyIdentity: true, ...(settings.sslCa ? { ca: settings.sslCa } : {}) };
}

/**
 * The server stops a statement that runs too long: MariaDB's max_statement_time (seconds, any
 * statement), MySQL's max_execution_time (milliseconds, SELECT only; the client timeout covers
 * the rest).
 * @param {mysql.Connection} connection @param {number} timeoutMs
 */
async function limitStatementTime(connection, timeoutMs) {
  const [version] = /** @type {Array<{ v: string }>} */ (await simple(connection, 'SELECT VERSION() AS v'));
  const isMariaDb = /mariadb/i.test(version?.v ?? '');
  const seconds = (timeoutMs / 1000).toFixed(3);
  await simple(connection, isMariaDb ? `SET SESSION max_statement_time = ${seconds}` : `SET SESSION max_execution_time = ${Math.ceil(timeoutMs)}`);
}

/** A statement of ours with no values (numbers we made are the only thing in its text). @param {mysql.Connection} connection @param {string} sql */
function simple(connection, sql) {
  return new Promise((resolve, reject) => connection.query(sql, (error, rows) => (error ? reject(error) : resolve(rows))));
}

/**
 * Runs the statement as a server-side prepared statement (values travel apart from the text,
 * one statement only) and reads its rows as they come, stopping at max_rows + 1.
 * @param {mysql.Connection} connection
 * @param {import('./handler.js').Settings} settings
 * @returns {Promise<import('./values.js').QueryResult>}
 */
function streamRows(connection, settings) {
  return new Promise((resolve, reject) => {
    const command = connection.execute({
      sql: settings.query,
      values: settings.parameters.map(mysqlValue),
      rowsAsArray: true,
      timeout: settings.statementTimeoutMs + CLIENT_GRACE_MS,
    });
    /** @type {string[]} */
    let columns = [];
    /** @type {Set<number>} columns holding DATETIME or TIMESTAMP text */
    let dateTimeColumns = new Set();
    /** @type {unknown[][]} */
    const rows = [];
    let affected = 0;
    let stopped = false;
    command.on('fields', (/** @type {mysql.FieldPacket[] | undefined} */ fields) => {
      if (!fields) return;
      columns = fields.map((field) => field.name);
      dateTimeColumns = new Set(fields.flatMap((field, index) => (isDateTime(field) ? [index] : [])));
    });
    command.on('result', (/** @type {unknown} */ row) => {
      if (stopped) return;
      if (!Array.isArray(row)) {
        affected += /** @type {{ affectedRows?: number }} */ (row).affectedRows ?? 0;
        return;
      }
      if (rows.length === settings.maxRows) {
        stopped = true;
        reject(tooManyRows(settings.maxRows));
        connection.destroy();
        return;
      }
      rows.push(row.map((value, index) => (dateTimeColumns.has(index) && typeof value === 'string' ? isoDateTime(value) : value)));
    });
    command.on('error', (error) => { if (!stopped) reject(error); });
    command.on('end', () => {
      if (stopped) return;
      resolve({ rows: rows.map((row) => rowObject(columns, row)), row_count: columns.length > 0 ? rows.length : affected, columns });
    });
  });
}

/** @param {mysql.FieldPacket} field */
function isDateTime(field) {
  const { DATETIME, TIMESTAMP } = mysql.Types;
  return field.columnType === DATETIME || field.columnType === TIMESTAMP;
}

/** Lists and objects go as JSON text (a prepared statement takes only scalars). @param {unknown} value */
function mysqlValue(value) {
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
}

/** @param {unknown} error */
function queryError(error) {
  if (error instanceof ActionError) return error;
  const { message, code, errno, sqlState } = /** @type {{ message: string, code?: string, errno?: number, sqlState?: string }} */ (error);
  if (code === 'PROTOCOL_SEQUENCE_TIMEOUT' || (errno !== undefined && TIMEOUT_ERRNOS.has(errno))) {
    return new ActionError(`the statement was stopped by statement_timeout_ms: ${message}`, 'statement_timeout');
  }
  if (errno !== undefined) return new ActionError(`MySQL refused the statement: ${message} (errno ${errno}, SQLSTATE ${sqlState})`, 'query_failed');
  return new ActionError(`the statement failed: ${message}`, 'query_failed');
}
