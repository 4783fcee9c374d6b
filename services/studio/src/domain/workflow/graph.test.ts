import { describe, expect, it } from 'vitest';
import { findCycles } from './graph.js';

const graphOf = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

describe('findCycles', () => {
  it.each([
    ['no cycle', { a: [], b: ['a'], c: ['a', 'b'] }, []],
    ['two steps', { a: ['b'], b: ['a'] }, [['a', 'b']]],
    ['three steps', { a: ['c'], b: ['a'], c: ['b'] }, [['a', 'c', 'b']]],
    ['two separate cycles', { a: ['b'], b: ['a'], c: ['d'], d: ['c'], e: ['a'] }, [['a', 'b'], ['c', 'd']]],
    ['an edge to an unknown node', { a: ['ghost'] }, []],
  ] as [string, Record<string, string[]>, string[][]][])('%s', (_name, edges, cycles) => {
    const found = findCycles(graphOf(edges)).map((cycle) => [...cycle]);
    expect(found.map((c) => c.slice().sort()).sort()).toEqual(cycles.map((c) => c.slice().sort()).sort());
    // Each answer is a real cycle: every member depends on the next, the last on the first.
    for (const cycle of found) cycle.forEach((id, i) => expect(edges[id]).toContain(cycle[(i + 1) % cycle.length]));
  });

  it('walks a chain of 10,000 steps without overflowing the stack', () => {
    const edges: Record<string, string[]> = {};
    for (let i = 0; i < 10_000; i++) edges[`s${i}`] = i === 0 ? ['s9999'] : [`s${i - 1}`];
    expect(findCycles(graphOf(edges))[0]).toHaveLength(10_000);
  });
});
