import type { JsonValue } from '@trellis/kernel/io';
import { isStoredValue } from '../../application/large-values.js';
import { fileView, isStoredFile } from '../../domain/stored-file.js';

/*
 * How a run's values are shown to users: a stored file as its name, size and content type (never
 * where it is kept; the outputs route downloads it), a value kept in the object store for its
 * size as `{ "$large": true, "size": <bytes> }` (the outputs route reads it whole).
 */

export function shownValue(value: JsonValue): JsonValue {
  if (isStoredFile(value)) return fileView(value);
  if (isStoredValue(value)) return { $large: true, size: value.size };
  if (Array.isArray(value)) return value.map(shownValue);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shownValue(item)]));
  return value;
}

export function shownRecord<R extends Readonly<Record<string, JsonValue>> | null>(record: R): R {
  if (record === null) return record;
  return Object.fromEntries(Object.entries(record).map(([name, value]) => [name, shownValue(value)])) as R;
}
