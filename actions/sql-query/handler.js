// @ts-check
import { ActionError } from './errors.js';
import { runMysql } from './mysql.js';
import { checkedAddress } from './network-guard.js';
import { runPostgres } from './postgres.js';

/**
 * Runs one SQL statement with its values as parameters, never pasted into the SQL text: a value
 * such as `'); drop table x; --` is stored as the text it is.
 *
 * @typedef {{
 *   dialect: 'postgres' | 'mysql', host: string, address: string, port: number, database: string,
 *   user: string, password: string | null, ssl: 'disable' | 'require' | 'verify-full', sslCa: string | null,
 *   query: string, parameters: readonly unknown[], statementTimeoutMs: number, maxRows: number, readOnly: boolean,
 * }} Settings
 */

const DEFAULT_PORTS = { postgres: 5432, mysql: 3306 };

/**
 * @param {Record<string, any>} inputs
 * @returns {Promise<import('./values.js').QueryResult>}
 */
export async function handle(inputs) {
  const settings = await settingsOf(inputs);
  return settings.dialect === 'postgres' ? runPostgres(settings) : runMysql(settings);
}

/** @param {Record<string, any>} inputs @returns {Promise<Settings>} */
async function settingsOf(inputs) {
  const dialect = inputs.dialect === 'mysql' ? 'mysql' : 'postgres';
  const parameters = inputs.parameters ?? [];
  if (!Array.isArray(parameters)) throw new ActionError('parameters must be a JSON list, e.g. ["alice", 42]', 'bad_input');
  if (typeof inputs.query !== 'string' || inputs.query.trim() === '') throw new ActionError('query is empty: give one SQL statement', 'bad_input');
  const statementTimeoutMs = positiveInteger(inputs.statement_timeout_ms, 'statement_timeout_ms');
  const maxRows = positiveInteger(inputs.max_rows, 'max_rows');
  const host = String(inputs.host ?? '').trim();
  if (host === '') throw new ActionError('host is empty: give the database server', 'bad_input');
  return {
    dialect,
    host,
    address: await checkedAddress(host),
    port: inputs.port ?? DEFAULT_PORTS[dialect],
    database: inputs.database,
    user: inputs.user,
    password: inputs.password ?? null,
    ssl: inputs.ssl ?? 'verify-full',
    sslCa: inputs.ssl_ca ?? null,
    query: inputs.query,
    parameters,
    statementTimeoutMs,
    maxRows,
    readOnly: inputs.read_only === true,
  };
}

/** @param {unknown} value @param {string} name */
function positiveInteger(value, name) {
  if (!Number.isInteger(value) || /** @type {number} */ (value) <= 0) throw new ActionError(`${name} must be a whole number above 0`, 'bad_input');
  return /** @type {number} */ (value);
}
