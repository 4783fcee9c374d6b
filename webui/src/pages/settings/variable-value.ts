/*
 * A variable's value is any JSON value but null. People mostly store text, so the "Value" field
 * reads as JSON when it is JSON (3, true, ["a"], {"x": 1}, "quoted") and as plain text otherwise
 * (https://example.com needs no quotes). Text that would read as JSON is shown quoted when edited,
 * so saving it unchanged keeps it a string.
 */

/** What the field holds for a stored value. */
export function valueText(value: unknown): string {
  if (typeof value === 'string') return readsAsJson(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value, null, 2);
}

/** The value a field's text stands for (undefined: empty, nothing to store). */
export function parseValueText(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value === null ? text : value;
  } catch {
    return text;
  }
}

/** A value in one line, for the table. */
export function valueSummary(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function readsAsJson(text: string): boolean {
  try {
    return JSON.parse(text) !== null || text.trim() === 'null';
  } catch {
    return false;
  }
}
