import type { JsonValue } from '@trellis/kernel/io';
import { parseDuration } from '@trellis/workflow-language/duration';
import { readCpu, readMemory } from '@trellis/workflow-language/resources';
import type { DraftProblem } from '../draft.js';

/*
 * The rules the side panels' forms share: an empty field is removed from the document (never
 * written as '' or null), and each problem studio names goes to the field its path points at.
 */

/** Is this a value the document should not hold (an emptied field)? */
export function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** `object` with `key` set to `value`, or without `key` when the value is empty. */
export function withField<T extends object, K extends keyof T>(object: T, key: K, value: T[K] | undefined | null | ''): T {
  const copy = { ...object };
  if (isEmpty(value)) delete copy[key];
  else copy[key] = value as T[K];
  return copy;
}

/** The same record without its emptied entries, or undefined when nothing is left. */
export function compact<V>(record: Record<string, V | undefined>): Record<string, V> | undefined {
  const entries = Object.entries(record).filter((entry): entry is [string, V] => !isEmpty(entry[1]));
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

/** Splits problems by field: `fields` are paths under `prefix` (`id`, `retry.backoff`, `inputs.n`). */
export function problemsByField(problems: readonly DraftProblem[], prefix: string, fields: readonly string[]): { byField: Map<string, string[]>; rest: DraftProblem[] } {
  const byField = new Map<string, string[]>();
  const rest: DraftProblem[] = [];
  // The longest field first: `retry.backoff` before `retry`.
  const ordered = [...fields].sort((a, b) => b.length - a.length);
  for (const problem of problems) {
    const relative = problem.path.startsWith(prefix) ? problem.path.slice(prefix.length).replace(/^\./, '') : undefined;
    const field = relative === undefined ? undefined : ordered.find((name) => relative === name || relative.startsWith(`${name}.`) || relative.startsWith(`${name}[`));
    if (field === undefined) rest.push(problem);
    else byField.set(field, [...(byField.get(field) ?? []), problem.message]);
  }
  return { byField, rest };
}

/** One message for a field: studio's, else the local check's. */
export function errorOf(byField: Map<string, string[]>, field: string, local?: string): string | undefined {
  const messages = byField.get(field);
  if (messages && messages.length > 0) return messages.join(' ');
  return local;
}

/** Checked as the person types, before studio answers (the same rule studio applies). */
export function durationError(value: JsonValue | undefined): string | undefined {
  if (isEmpty(value)) return undefined;
  return parseDuration(value) === undefined ? 'Not a duration: write 500ms, 30s, 5m, 2h, 1d or 1h30m (no spaces)' : undefined;
}

const STEP_ID = /^[A-Za-z](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9_])?$/;

/** A step id's own rules and its uniqueness among the other steps. */
export function stepIdError(id: string, otherIds: readonly string[]): string | undefined {
  if (id === '') return 'A step needs an id';
  if (!STEP_ID.test(id)) return 'A letter, then letters, digits, _ and -, at most 64, not ending with -';
  if (otherIds.includes(id)) return `Another step is already called ${id}`;
  return undefined;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** An input or result name: letters, digits and _, not starting with a digit. */
export function nameError(name: string, otherNames: readonly string[]): string | undefined {
  if (name === '') return 'A name is needed';
  if (!NAME.test(name)) return 'Letters, digits and _, not starting with a digit, at most 64';
  if (otherNames.includes(name)) return `${name} is already used`;
  return undefined;
}

/** JSON typed in a text area: the value, or why it is not JSON. */
export function parseJsonText(text: string): { ok: true; value: JsonValue | undefined } | { ok: false; error: string } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch (error) {
    return { ok: false, error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** A value shown in a text field: strings as they are, anything else as JSON. */
export function textOf(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const WORKFLOW_NAME = /^[a-z0-9](?:[a-z0-9-]{1,62}[a-z0-9])$/;

/** A workflow's name: 3 to 64 of a-z, 0-9 and -, not starting or ending with -. */
export function workflowNameError(name: string): string | undefined {
  return WORKFLOW_NAME.test(name) ? undefined : '3 to 64 of a-z, 0-9 and -, not starting or ending with -';
}

const HTTP_PATH = /^[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_-]+){0,7}$/;

/** An HTTP trigger's path: one to eight segments of letters, digits, _ and - separated by /. */
export function httpPathError(path: string): string | undefined {
  return HTTP_PATH.test(path) ? undefined : 'One to eight segments of letters, digits, _ and - separated by / (images/resize)';
}

/** A completion webhook: an http(s) URL. */
export function webhookError(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? undefined : 'An http(s) URL';
  } catch {
    return 'An http(s) URL, e.g. https://example.com/hooks/done';
  }
}

/** A step's cpu as typed: the rule studio applies (cores above 0, at most 64; 0.5, 2, 500m). */
export function cpuError(value: JsonValue | undefined): string | undefined {
  if (isEmpty(value)) return undefined;
  return readCpu(value).ok ? undefined : 'Cores above 0 and at most 64: 0.5, 2 or 500m (millicores)';
}

/** A step's memory as typed: the rule studio applies (bytes or 512Mi, 1Gi, 256M; at most 256Gi). */
export function memoryError(value: JsonValue | undefined): string | undefined {
  if (isEmpty(value)) return undefined;
  return readMemory(value).ok ? undefined : 'A size above 0 and at most 256Gi: 512Mi, 1Gi, 256M, or bytes';
}

/** A quantity typed in a field: a plain number stays a number in the document, anything else (500m, 512Mi) text. */
export function quantityOf(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed;
}
