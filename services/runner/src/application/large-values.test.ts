import { describe, expect, it } from 'vitest';
import type { JsonValue } from '@trellis/kernel/io';
import { isStoredValue, makeOffloader, mayExceed, restoreRecord } from './large-values.js';

function memoryStore() {
  const objects = new Map<string, string>();
  return { objects, putText: async (object: string, text: string) => { objects.set(object, text); }, getText: async (object: string) => objects.get(object) ?? '' };
}

describe('large values', () => {
  it('moves only the values whose JSON passes the bound, and reads them back as they were', async () => {
    const store = memoryStore();
    const offloader = makeOffloader(1000, store.putText);
    const big = { rows: Array.from({ length: 100 }, (_, i) => ({ i, name: `row ${i}` })) };
    const record: Record<string, JsonValue> = { small: 'x', n: 1, big, text: 'é'.repeat(600) };
    const moved = await offloader.record(record, (name) => `values/${name}`);
    expect(moved).toEqual({ small: 'x', n: 1, big: { $stored: 'values/big', size: Buffer.byteLength(JSON.stringify(big)) }, text: { $stored: 'values/text', size: 1202 } });
    expect([...store.objects.keys()]).toEqual(['values/big', 'values/text']);
    expect(await restoreRecord(moved, store.getText, 'values/')).toEqual(record);
  });

  it('reads back only references under the given prefix: a lookalike elsewhere is plain JSON', async () => {
    const store = memoryStore();
    store.objects.set('other/secret', '"theirs"');
    const record = { a: { $stored: 'other/secret', size: 8 } };
    expect(await restoreRecord(record, store.getText, 'runner/projects/p/runs/')).toBe(record);
  });

  it('costs nothing for small records: the same object back, no write', async () => {
    const store = memoryStore();
    const record = { n: 1, s: 'short', list: [1, 2, 3] };
    expect(await makeOffloader(1000, store.putText).record(record, () => 'k')).toBe(record);
    expect(await restoreRecord(record, store.getText, '')).toBe(record);
    expect(store.objects.size).toBe(0);
  });

  it('estimates sizes from above, stopping early', () => {
    expect(mayExceed('a'.repeat(10), 100)).toBe(false);
    expect(mayExceed('a'.repeat(40), 100)).toBe(true); // 3 bytes a unit at most
    expect(mayExceed(Array.from({ length: 1_000_000 }, () => 1), 100)).toBe(true);
    expect(isStoredValue({ $stored: 'k', size: 1 })).toBe(true);
    expect(isStoredValue({ $stored: 'k', size: 1, other: 1 })).toBe(false);
  });
});
