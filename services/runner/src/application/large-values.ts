import type { JsonValue } from '@trellis/kernel/io';

/*
 * Values too large for a Postgres row. A run's rows hold a value inline up to a bound; a larger
 * one (a trigger input, a step's input or output, a result) is written to the object store under
 * the run's prefix and its row holds `{ "$stored": "<key>", "size": <bytes> }` in its place. The
 * run in memory keeps the value itself, so only a takeover, a result read from the database and
 * the runs API read it back. Only the top-level values of a record are ever moved.
 */

export const STORED = '$stored';

export type StoredValue = { readonly [STORED]: string; readonly size: number };

export function isStoredValue(value: unknown): value is StoredValue {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as Record<string, unknown>)[STORED] === 'string'
    && typeof (value as Record<string, unknown>)['size'] === 'number' && Object.keys(value).length === 2;
}

/** Whether the JSON text of `value` may pass `limit` bytes: exact enough, and it stops early (small values cost almost nothing). */
export function mayExceed(value: JsonValue, limit: number): boolean {
  let budget = limit;
  const walk = (item: JsonValue): boolean => {
    if (typeof item === 'string') budget -= item.length * 3 + 2; // UTF-8 is at most 3 bytes per UTF-16 unit
    else if (item === null || typeof item !== 'object') budget -= 24;
    else if (Array.isArray(item)) {
      budget -= 2;
      for (const element of item) if (walk(element)) return true;
    } else {
      budget -= 2;
      for (const key of Object.keys(item)) {
        budget -= key.length * 3 + 4;
        if (walk(item[key] as JsonValue)) return true;
      }
    }
    return budget < 0;
  };
  return walk(value);
}

export type Offloader = {
  /** Whether some value of the record may pass the bound (cheap: no copy, no I/O). */
  needed: (record: Readonly<Record<string, JsonValue>> | null) => boolean;
  /** The record with each value over the bound moved to `keyOf(name)`; the same record when nothing is (no copy, no I/O). */
  record: <R extends Readonly<Record<string, JsonValue>> | null>(record: R, keyOf: (name: string) => string) => Promise<R>;
};

export function makeOffloader(limit: number, putText: (object: string, text: string) => Promise<void>): Offloader {
  return {
    needed: (record) => record !== null && Object.values(record).some((value) => mayExceed(value, limit)),
    record: async (record, keyOf) => {
      if (record === null) return record;
      let moved: Record<string, JsonValue> | undefined;
      for (const [name, value] of Object.entries(record)) {
        if (!mayExceed(value, limit)) continue;
        const text = JSON.stringify(value);
        const size = Buffer.byteLength(text);
        if (size <= limit) continue;
        const object = keyOf(name);
        await putText(object, text);
        moved ??= { ...record };
        moved[name] = { [STORED]: object, size };
      }
      return (moved ?? record) as typeof record;
    },
  };
}

/**
 * The record with every stored value under `prefix` (the project's runs) read back; the same
 * record when it holds none. A value shaped like a reference elsewhere is somebody's JSON, left
 * as it is.
 */
export async function restoreRecord<R extends Readonly<Record<string, JsonValue>> | null>(record: R, getText: (object: string) => Promise<string>, prefix: string): Promise<R> {
  if (record === null) return record;
  const stored = Object.entries(record).filter(([, value]) => isStoredValue(value) && value[STORED].startsWith(prefix));
  if (stored.length === 0) return record;
  const restored: Record<string, JsonValue> = { ...record };
  await Promise.all(stored.map(async ([name, value]) => {
    restored[name] = JSON.parse(await getText((value as StoredValue)[STORED])) as JsonValue;
  }));
  return restored as R;
}
