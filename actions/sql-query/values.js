// @ts-check

/**
 * A database value as JSON that loses nothing: big integers and decimals stay the strings the
 * drivers give (a JSON number would round them), times are ISO 8601 text, bytes are base64.
 * @param {unknown} value
 * @returns {unknown}
 */
export function toJsonValue(value) {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  return value;
}

/**
 * A row given as an array of values, as an object keyed by column name.
 * @param {readonly string[]} columns
 * @param {readonly unknown[]} values
 */
export function rowObject(columns, values) {
  /** @type {Record<string, unknown>} */
  const row = {};
  columns.forEach((name, index) => { row[name] = toJsonValue(values[index]); });
  return row;
}

/** "2024-05-01 10:20:30.5" (the databases' text) as ISO 8601 "2024-05-01T10:20:30.5". @param {string} text */
export function isoDateTime(text) {
  return text.replace(' ', 'T');
}

/**
 * Removes the password from a driver's message, should one ever quote it.
 * @param {string} message @param {string | null} password
 */
export function withoutPassword(message, password) {
  return password && password.length >= 3 ? message.split(password).join('***') : message;
}

/** @typedef {{ rows: Record<string, unknown>[], row_count: number, columns: string[] }} QueryResult */
