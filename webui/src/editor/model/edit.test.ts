import { describe, expect, it } from 'vitest';
import { addStep, connect, disconnect, newStepId, removeStep, renameReferences, type Connection } from './edit.js';
import { ACTIONS, aDraft } from './fixtures.js';
import { DEPS, DONE, NEW_RESULT, TRIGGER, RESULTS, draftToGraph } from './graph.js';

const out = (node: string, port: string): Pick<Connection, 'source' | 'sourceHandle'> => ({ source: node, sourceHandle: `out:${port}` });
const into = (node: string, port: string): Pick<Connection, 'target' | 'targetHandle'> => ({ target: node, targetHandle: `in:${port}` });

describe('type-compatible connections', () => {
  const draft = aDraft([{ id: 'a', action: 'add-one' }, { id: 'b', action: 'add-one@1.0.0' }, { id: 'up', action: 'uppercase' }, { id: 'zip', action: 'make-archive' }, { id: 'h', action: 'halve', foreach: [1, 2] }]);

  it.each([
    ['integer output to an integer input', out('step:a', 'n'), into('step:b', 'n'), '${{ steps.a.n }}'],
    ['integer output to a float input', out('step:a', 'n'), into('step:h', 'x'), '${{ steps.a.n }}'],
    ['integer output to a string input (written as text)', out('step:a', 'n'), into('step:up', 'text'), '${{ steps.a.n }}'],
    ['a trigger input to a step input', out(TRIGGER, 'count'), into('step:a', 'n'), '${{ trigger.count }}'],
    ['a list (foreach step) to a string input', out('step:h', 'x'), into('step:up', 'text'), '${{ steps.h.x }}'],
  ])('accepts %s and writes the reference', (_name, from, to, reference) => {
    const made = connect(draft, ACTIONS, { ...from, ...to });
    expect(made.ok).toBe(true);
    if (!made.ok) return;
    const target = made.draft.steps.find((step) => `step:${step.id}` === to.target);
    expect(target?.inputs?.[to.targetHandle?.slice(3) ?? '']).toBe(reference);
    expect(draft.steps.every((step) => step.inputs === undefined)).toBe(true); // the old draft is untouched (undo keeps it)
  });

  it.each([
    ['a string to an integer input', out('step:up', 'text'), into('step:a', 'n'), 'a string cannot fill an integer input'],
    ['a trigger string to an integer input', out(TRIGGER, 'title'), into('step:a', 'n'), 'a string cannot fill an integer input'],
    ['a list of floats (a foreach step) to an integer input', out('step:h', 'x'), into('step:a', 'n'), 'a list fills only a json, string or longstring input'],
    ['a file to a string input', out('step:zip', 'archive'), into('step:up', 'text'), 'a file fills only a file input'],
    ['a step to its own input', out('step:a', 'n'), into('step:a', 'n'), 'a cannot use its own output'],
  ])('refuses %s, with the reason', (_name, from, to, reason) => {
    const made = connect(draft, ACTIONS, { ...from, ...to });
    expect(made.ok).toBe(false);
    if (!made.ok) expect(made.reason).toContain(reason);
  });

  it('refuses a float (not a list) into an integer: it may have a fraction', () => {
    const plain = aDraft([{ id: 'h', action: 'halve' }, { id: 'a', action: 'add-one' }]);
    const made = connect(plain, ACTIONS, { ...out('step:h', 'x'), ...into('step:a', 'n') });
    expect(made).toEqual({ ok: false, reason: expect.stringContaining('a float may have a fraction') });
  });

  it('refuses a link that would make a cycle', () => {
    const chained = aDraft([{ id: 'a', action: 'add-one' }, { id: 'b', action: 'add-one', inputs: { n: '${{ steps.a.n }}' } }]);
    const made = connect(chained, ACTIONS, { ...out('step:b', 'n'), ...into('step:a', 'n') });
    expect(made).toEqual({ ok: false, reason: expect.stringContaining('cycle') });
  });

  it('adds a result named after the output, and a second one with a free name', () => {
    const first = connect(draft, ACTIONS, { ...out('step:a', 'n'), target: RESULTS, targetHandle: NEW_RESULT });
    if (!first.ok) throw new Error(first.reason);
    const second = connect(first.draft, ACTIONS, { ...out('step:b', 'n'), target: RESULTS, targetHandle: NEW_RESULT });
    if (!second.ok) throw new Error(second.reason);
    expect(second.draft.results).toEqual({ n: '${{ steps.a.n }}', n_2: '${{ steps.b.n }}' });
  });

  it('links done to deps as needs', () => {
    const made = connect(draft, ACTIONS, { source: 'step:a', sourceHandle: DONE, target: 'step:up', targetHandle: DEPS });
    expect(made.ok && made.draft.steps.find((step) => step.id === 'up')?.needs).toEqual(['a']);
  });
});

describe('the graph of a draft', () => {
  it('has an edge per reference and per needs, from the output handle to the input handle', () => {
    const draft = aDraft([
      { id: 'a', action: 'add-one', inputs: { n: '${{ trigger.count }}' } },
      { id: 'b', action: 'add-one', inputs: { n: '${{ steps.a.n }}' }, needs: ['a'], when: '${{ steps.a.n > 1 }}' },
    ], { results: { total: '${{ steps.b.n }}' } });
    const graph = draftToGraph(draft, ACTIONS);
    expect(graph.nodes.map((node) => node.id)).toEqual(['trigger', 'step:a', 'step:b', 'results']);
    expect(graph.edges.map((edge) => `${edge.source}/${edge.sourceHandle} -> ${edge.target}/${edge.targetHandle} (${edge.meaning.kind})`)).toEqual([
      'trigger/out:count -> step:a/in:n (input)',
      'step:a/out:n -> step:b/in:n (input)',
      'step:a/out:n -> step:b/deps (when)',
      'step:a/done -> step:b/deps (needs)',
      'step:b/out:n -> results/in:total (result)',
    ]);
  });

  it('draws no edge for what does not exist (an unknown step), and a node-level one for an unknown output', () => {
    const graph = draftToGraph(aDraft([{ id: 'a', action: 'add-one' }, { id: 'b', action: 'add-one', inputs: { n: '${{ steps.zz.n }}', extra: '${{ steps.a.m }}' } }]), ACTIONS);
    expect(graph.edges.map((edge) => `${edge.sourceHandle}->${edge.targetHandle}`)).toEqual(['done->deps']);
  });

  it('survives a draft a person broke in the YAML (no steps list, a trigger without type)', () => {
    const broken = { apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'x', trigger: {} } as unknown as Parameters<typeof draftToGraph>[0];
    expect(draftToGraph(broken, ACTIONS).nodes.map((node) => node.kind)).toEqual(['trigger', 'results']);
  });
});

describe('editing the draft', () => {
  it('gives new steps ids from the action id', () => {
    let draft = aDraft();
    const ids: string[] = [];
    for (const action of ['uppercase', 'uppercase', 'uppercase', '9lives@1.0.0']) {
      const added = addStep(draft, action);
      draft = added.draft;
      ids.push(added.stepId);
    }
    expect(ids).toEqual(['uppercase', 'uppercase-2', 'uppercase-3', 'lives-1-0-0']);
    expect(newStepId(aDraft([{ id: 'add-one' }, { id: 'add-one-2' }]), 'add-one')).toBe('add-one-3');
  });

  it('removes a step with every reference to it', () => {
    const draft = aDraft([
      { id: 'a', action: 'add-one' },
      { id: 'b', action: 'add-one', inputs: { n: '${{ steps.a.n }}' }, needs: ['a'], when: '${{ steps.a.n > 0 }}', on_failure: 'a' },
      { id: 'c', action: 'uppercase', inputs: { text: 'n is ${{ steps.b.n }}' } },
    ], { results: { first: '${{ steps.a.n }}', last: '${{ steps.c.text }}' } });
    const next = removeStep(draft, 'a');
    expect(next.steps).toEqual([{ id: 'b', action: 'add-one' }, { id: 'c', action: 'uppercase', inputs: { text: 'n is ${{ steps.b.n }}' } }]);
    expect(next.results).toEqual({ last: '${{ steps.c.text }}' });
  });

  it('disconnects what an edge stands for', () => {
    const draft = aDraft([{ id: 'a', action: 'add-one' }, { id: 'b', action: 'add-one', inputs: { n: '${{ steps.a.n }}' }, needs: ['a'] }], { results: { n: '${{ steps.b.n }}' } });
    const graph = draftToGraph(draft, ACTIONS);
    let next = draft;
    for (const edge of graph.edges) next = disconnect(next, edge.meaning);
    expect(next.steps).toEqual([{ id: 'a', action: 'add-one' }, { id: 'b', action: 'add-one' }]);
    expect(next.results).toBeUndefined();
  });
});

describe('renaming a step', () => {
  it('renames what reads it, and only that step', () => {
    const draft = aDraft([
      { id: 'add-one', action: 'add-one' },
      { id: 'add-one-2', action: 'add-one', inputs: { n: '${{ steps.add-one.n }}' } },
      { id: 'c', action: 'uppercase', needs: ['add-one'], on_failure: 'add-one', when: '${{ steps.add-one.n > 1 and steps.add-one-2.n > 1 }}', inputs: { text: 'got ${{ steps.add-one-2.n }}' } },
    ], { results: { list: ['${{ steps.add-one.n }}'] } });
    const renamed = renameReferences({ ...draft, steps: draft.steps.map((step) => (step.id === 'add-one' ? { ...step, id: 'first' } : step)) }, 'add-one', 'first');
    expect(renamed.steps.map((step) => [step.id, step.inputs, step.needs, step.on_failure, step.when])).toEqual([
      ['first', undefined, undefined, undefined, undefined],
      ['add-one-2', { n: '${{ steps.first.n }}' }, undefined, undefined, undefined],
      ['c', { text: 'got ${{ steps.add-one-2.n }}' }, ['first'], 'first', '${{ steps.first.n > 1 and steps.add-one-2.n > 1 }}'],
    ]);
    expect(renamed.results).toEqual({ list: ['${{ steps.first.n }}'] });
  });
});
