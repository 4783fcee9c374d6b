// @ts-check
// csv-to-json: reads CSV (a text or a streamed file) into a JSON list of rows.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { ActionError } from './errors.js';

/** A single field longer than this is a broken file (an unclosed quote), not data. */
const MAX_FIELD_BYTES = 1024 * 1024;

/**
 * @param {{ csv?: string | null, file?: string | null, delimiter?: string, header?: boolean, skip_empty_lines?: boolean, max_rows?: number }} inputs
 */
export async function handle(inputs) {
  const source = sourceOf(inputs);
  const delimiter = inputs.delimiter ?? ',';
  if (delimiter === '' || /[\r\n"]/.test(delimiter)) throw new ActionError('delimiter must be one or more characters other than a quote or a line break (use "\\t" for tabs)', 'bad_input');
  const maxRows = inputs.max_rows ?? 100_000;
  if (!Number.isInteger(maxRows) || maxRows <= 0) throw new ActionError('max_rows must be a positive whole number', 'bad_input');

  const parser = source.pipe(
    parse({
      delimiter: delimiter === '\\t' ? '\t' : delimiter,
      columns: (inputs.header ?? true) ? columnsOf : false,
      skip_empty_lines: inputs.skip_empty_lines ?? true,
      bom: true,
      max_record_size: MAX_FIELD_BYTES,
      info: true, // each record comes with its line, for the messages
    }),
  );
  /** @type {unknown[]} */
  const rows = [];
  try {
    for await (const { record, info } of parser) {
      if (rows.length >= maxRows) {
        throw new ActionError(`the CSV has more than max_rows (${maxRows}) rows; stopped at line ${info.lines}`, 'too_many_rows');
      }
      rows.push(record);
    }
  } catch (error) {
    if (error instanceof CsvError) throw new ActionError(`the CSV is not valid: ${error.message}`, 'bad_csv');
    throw error;
  } finally {
    source.destroy();
  }
  return { rows, count: rows.length };
}

/** @param {{ csv?: string | null, file?: string | null }} inputs */
function sourceOf(inputs) {
  const hasText = typeof inputs.csv === 'string';
  const hasFile = typeof inputs.file === 'string';
  if (hasText === hasFile) throw new ActionError('give exactly one of csv (a text) or file', 'bad_input');
  return hasFile ? createReadStream(/** @type {string} */ (inputs.file)) : Readable.from([/** @type {string} */ (inputs.csv)]);
}

/**
 * The header line becomes the keys; an empty or repeated name would silently lose a column.
 * @param {string[]} names
 */
function columnsOf(names) {
  const seen = new Set();
  return names.map((raw, index) => {
    const name = raw.trim();
    if (name === '') throw new ActionError(`the header (line 1) has an empty column name at column ${index + 1}`, 'bad_csv');
    if (seen.has(name)) throw new ActionError(`the header (line 1) names column ${JSON.stringify(name)} twice`, 'bad_csv');
    seen.add(name);
    return name;
  });
}
