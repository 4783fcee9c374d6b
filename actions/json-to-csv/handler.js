// @ts-check
// json-to-csv: writes a JSON list of rows (objects or lists) as CSV, as text or as a file.
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';
import { ActionError } from './errors.js';

/**
 * @param {{ rows?: unknown, columns?: unknown, delimiter?: string, header?: boolean, as_file?: boolean }} inputs
 * @param {{ workdir?: string }} [context]
 */
export async function handle(inputs, context = {}) {
  const rows = rowsOf(inputs.rows);
  const delimiter = inputs.delimiter ?? ',';
  if (delimiter === '' || /[\r\n"]/.test(delimiter)) throw new ActionError('delimiter must be one or more characters other than a quote or a line break (use "\\t" for tabs)', 'bad_input');
  const columns = columnsOf(inputs.columns, rows);
  const options = {
    delimiter: delimiter === '\\t' ? '\t' : delimiter,
    // Lists have no names to print; a header needs columns (given, or the objects' keys).
    header: (inputs.header ?? true) && columns !== undefined,
    ...(columns ? { columns } : {}),
    // Nested lists and objects are written as JSON text, booleans as true/false.
    cast: { boolean: (/** @type {boolean} */ value) => String(value), object: (/** @type {object} */ value) => JSON.stringify(value) },
  };
  if (!inputs.as_file) return { csv: stringifySync(rows, options) };
  const folder = context.workdir ?? (await mkdtemp(join(tmpdir(), 'json-to-csv-')));
  const path = join(folder, 'rows.csv');
  await pipeline(Readable.from(rows), stringify(options), createWriteStream(path));
  return { file: path };
}

/** @param {unknown} rows */
function rowsOf(rows) {
  if (!Array.isArray(rows)) throw new ActionError('rows must be a JSON list of objects or of lists', 'bad_input');
  rows.forEach((row, index) => {
    if (row === null || typeof row !== 'object') throw new ActionError(`rows[${index}] is not an object or a list`, 'bad_input');
  });
  return /** @type {(Record<string, unknown> | unknown[])[]} */ (rows);
}

/**
 * The columns given, or the keys of the objects in order of first appearance.
 * @param {unknown} given
 * @param {(Record<string, unknown> | unknown[])[]} rows
 * @returns {string[] | undefined}
 */
function columnsOf(given, rows) {
  if (given !== undefined && given !== null) {
    if (!Array.isArray(given) || given.length === 0 || given.some((name) => typeof name !== 'string')) {
      throw new ActionError('columns must be a JSON list of column names, e.g. ["name", "age"]', 'bad_input');
    }
    return given;
  }
  const names = new Set();
  for (const row of rows) if (!Array.isArray(row)) for (const name of Object.keys(row)) names.add(name);
  return names.size > 0 ? /** @type {string[]} */ ([...names]) : undefined;
}
