import { describe, expect, it } from 'vitest';
import type { JsonValue } from '@trellis/kernel/io';
import { mergePatch } from './merge-patch.js';

describe('mergePatch', () => {
  // RFC 7396, appendix A: every example, in order.
  it.each<[JsonValue, JsonValue, JsonValue]>([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j patched with %j is %j', (target, patch, expected) => {
    expect(mergePatch(target, patch)).toEqual(expected);
  });

  it('keeps the target\'s member order and leaves the target untouched', () => {
    const target = { name: 'a', title: 'A', steps: [] };
    const patched = mergePatch(target, { title: 'B', results: { n: 1 } });
    expect(Object.keys(patched as object)).toEqual(['name', 'title', 'steps', 'results']);
    expect(target).toEqual({ name: 'a', title: 'A', steps: [] });
  });
});
