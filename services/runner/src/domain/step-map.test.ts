import { describe, expect, it } from 'vitest';
import { edit, frozen } from './step-map.js';

describe('step maps', () => {
  it('writes a draft without touching the map it came from, and keeps insertion order', () => {
    const first = frozen(edit(new Map([['a', 1], ['b', 2]])).set('c', 3));
    const second = frozen(edit(first).set('a', 10).set('d', 4));
    expect([...first]).toEqual([['a', 1], ['b', 2], ['c', 3]]);
    expect([...second]).toEqual([['a', 10], ['b', 2], ['c', 3], ['d', 4]]);
    expect([second.size, second.get('a'), second.has('z'), [...second.keys()], [...second.values()]]).toEqual([4, 10, false, ['a', 'b', 'c', 'd'], [10, 2, 3, 4]]);
  });

  it('keeps a frozen state apart from its draft written after, and from another draft of the same state', () => {
    const draft = edit(new Map([['a', 1]]));
    const state = frozen(draft);
    draft.set('a', 2);
    const one = edit(state).set('b', 1);
    const two = edit(state).set('b', 2);
    expect([state.get('a'), state.has('b'), one.get('b'), two.get('b')]).toEqual([1, false, 1, 2]);
  });

  it('reads like a Map: forEach, entries, delete and clear on a draft', () => {
    const draft = edit(new Map([['a', 1], ['b', 2]]));
    const seen: string[] = [];
    draft.forEach((value, key) => seen.push(`${key}=${value}`));
    expect(seen).toEqual(['a=1', 'b=2']);
    expect([draft.delete('a'), draft.delete('a'), [...draft.entries()]]).toEqual([true, false, [['b', 2]]]);
    draft.clear();
    expect(draft.size).toBe(0);
  });
});
