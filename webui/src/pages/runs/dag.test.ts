import { describe, expect, it } from 'vitest';
import { dagEdges, stepsReferenced } from './dag.js';

describe('the DAG of a document', () => {
  it('links a step to the steps its inputs, when and foreach reference, and to those it needs', () => {
    const edges = dagEdges([
      { id: 'a', action: 'echo' },
      { id: 'b', action: 'echo', inputs: { text: '${{ steps.a.text }}', note: 'from ${{ steps.a.text }} and ${{ trigger.x }}' } },
      { id: 'c', action: 'echo', needs: ['a'], when: '${{ steps.b.text == "x" }}', foreach: '${{ steps.b.list }}', on_failure: 'undo' },
      { id: 'undo', action: 'echo', inputs: { step: '${{ failure.step }}' } },
    ]);
    expect(edges).toEqual([
      { from: 'a', to: 'b', kind: 'data' },
      { from: 'a', to: 'c', kind: 'data' },
      { from: 'b', to: 'c', kind: 'data' },
      { from: 'c', to: 'undo', kind: 'compensation' },
    ]);
  });

  it('leaves out edges to unknown steps, to itself, and values that do not parse', () => {
    expect(dagEdges([{ id: 'a', action: 'x', needs: ['ghost', 'a'], inputs: { v: '${{ steps.a.', w: '${{ steps.ghost.n }}' } }])).toEqual([]);
    expect(stepsReferenced({ list: ['${{ steps.s1.n }}', { deep: '${{ steps.s2.m == steps.s1.n }}', bad: '${{ steps.' }] })).toEqual(['s1', 's2']);
  });
});
