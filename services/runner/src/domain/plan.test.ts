import type { JsonValue } from '@trellis/kernel/io';
import { describe, expect, it } from 'vitest';
import * as Plan from './plan.js';

const ADD_ONE: Plan.Pin = { actionId: 'add-one', version: '1.0.0', inputs: [{ name: 'n', type: 'integer', help: '', optional: false }] };

type StepSpec = { action?: string; inputs?: Record<string, JsonValue>; needs?: string[]; when?: JsonValue; foreach?: JsonValue; on_failure?: string; retry?: JsonValue; timeout?: string };

/** A workflow document: `steps` maps ids to their fields (action add-one@1.0.0 unless given). */
function aWorkflow(steps: Record<string, StepSpec>, results: Record<string, JsonValue> = {}): JsonValue {
  return {
    apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'the-flow',
    trigger: { type: 'http', path: 'wf', inputs: [{ name: 'n', type: 'integer' }] },
    steps: Object.entries(steps).map(([id, spec]) => ({ id, action: 'add-one@1.0.0', ...spec }) as JsonValue),
    results,
  };
}

const uses = (...ids: string[]): Record<string, JsonValue> => Object.fromEntries(ids.map((id, i) => [i === 0 ? 'n' : `n${i}`, `\${{ steps.${id}.n }}`]));

function planOf(document: JsonValue, pins: readonly Plan.Pin[] = [ADD_ONE]): Plan.Plan {
  const plan = Plan.planOf(document, pins);
  if (!plan.ok) throw new Error(`unexpected: ${JSON.stringify(plan.error)}`);
  return plan.value;
}

const edges = (plan: Plan.Plan) => Object.fromEntries([...plan.steps.values()].map((step) => [step.id, { after: step.dependencies, before: step.dependants }]));

type Row = { name: string; steps: Record<string, StepSpec>; edges: Record<string, { after: string[]; before: string[] }>; order: string[]; roots: string[] };

describe('Plan.planOf: dependencies, dependants, order and roots', () => {
  it.each<Row>([
    {
      name: 'a chain through references',
      steps: { a: { inputs: { n: '${{ trigger.n }}' } }, b: { inputs: uses('a') }, c: { inputs: uses('b') } },
      edges: { a: { after: [], before: ['b'] }, b: { after: ['a'], before: ['c'] }, c: { after: ['b'], before: [] } },
      order: ['a', 'b', 'c'], roots: ['a'],
    },
    {
      name: 'a chain written backwards is ordered by its references, not its list',
      steps: { c: { inputs: uses('b') }, b: { inputs: uses('a') }, a: {} },
      edges: { a: { after: [], before: ['b'] }, b: { after: ['a'], before: ['c'] }, c: { after: ['b'], before: [] } },
      order: ['a', 'b', 'c'], roots: ['a'],
    },
    {
      name: 'a diamond',
      steps: { a: {}, b: { inputs: uses('a') }, c: { inputs: uses('a') }, d: { inputs: uses('b', 'c') } },
      edges: { a: { after: [], before: ['b', 'c'] }, b: { after: ['a'], before: ['d'] }, c: { after: ['a'], before: ['d'] }, d: { after: ['b', 'c'], before: [] } },
      order: ['a', 'b', 'c', 'd'], roots: ['a'],
    },
    {
      name: 'fan-in of three roots',
      steps: { x: {}, y: {}, z: {}, join: { inputs: uses('x', 'y', 'z') } },
      edges: { x: { after: [], before: ['join'] }, y: { after: [], before: ['join'] }, z: { after: [], before: ['join'] }, join: { after: ['x', 'y', 'z'], before: [] } },
      order: ['x', 'y', 'z', 'join'], roots: ['x', 'y', 'z'],
    },
    {
      name: 'needs-only edges (nothing read)',
      steps: { a: {}, b: { needs: ['a'] }, c: { needs: ['a', 'b'] } },
      edges: { a: { after: [], before: ['b', 'c'] }, b: { after: ['a'], before: ['c'] }, c: { after: ['a', 'b'], before: [] } },
      order: ['a', 'b', 'c'], roots: ['a'],
    },
    {
      name: 'references in when and foreach, and a reference plus needs to the same step counted once',
      steps: { a: {}, b: {}, c: { when: '${{ steps.a.n > 1 }}', foreach: '${{ [steps.b.n] }}', needs: ['a'] } },
      edges: { a: { after: [], before: ['c'] }, b: { after: [], before: ['c'] }, c: { after: ['a', 'b'], before: [] } },
      order: ['a', 'b', 'c'], roots: ['a', 'b'],
    },
    {
      name: 'an interpolated reference and one inside a structure',
      steps: { a: {}, b: {}, c: { inputs: { n: 'x-${{ steps.a.n }}', m: { deep: ['${{ steps.b.n }}'] } } } },
      edges: { a: { after: [], before: ['c'] }, b: { after: [], before: ['c'] }, c: { after: ['a', 'b'], before: [] } },
      order: ['a', 'b', 'c'], roots: ['a', 'b'],
    },
    {
      name: 'compensations are left out of the normal flow (but keep their own dependencies)',
      steps: { a: {}, b: { inputs: uses('a'), on_failure: 'undo-b' }, 'undo-b': { inputs: uses('a') }, c: { inputs: uses('b') } },
      edges: { a: { after: [], before: ['b'] }, b: { after: ['a'], before: ['c'] }, 'undo-b': { after: ['a'], before: [] }, c: { after: ['b'], before: [] } },
      order: ['a', 'b', 'c'], roots: ['a'],
    },
  ])('$name', ({ steps, edges: expected, order, roots }) => {
    const plan = planOf(aWorkflow(steps));
    expect(edges(plan)).toEqual(expected);
    expect(plan.order).toEqual(order);
    expect(plan.roots).toEqual(roots);
  });

  it('a 40-step chain, listed backwards, is ordered from its root', () => {
    const steps: Record<string, StepSpec> = {};
    for (let i = 40; i >= 1; i--) steps[`s${i}`] = i === 1 ? { inputs: { n: '${{ trigger.n }}' } } : { inputs: uses(`s${i - 1}`) };
    const plan = planOf(aWorkflow(steps, { n: '${{ steps.s40.n }}' }));
    expect(plan.order).toEqual(Array.from({ length: 40 }, (_, i) => `s${i + 1}`));
    expect(plan.roots).toEqual(['s1']);
    expect(plan.steps.get('s40')?.index).toBe(0);
  });

  it('keeps what the engine reads: pinned action, declared inputs, templates, retry, timeout, on_failure, results', () => {
    const plan = planOf(aWorkflow(
      { a: { inputs: { n: '${{ trigger.n }}' }, when: '${{ trigger.n > 0 }}', retry: { attempts: 3, backoff: '2s' }, timeout: '5s', on_failure: 'undo' }, undo: { inputs: { n: 1 } } },
      { n: '${{ steps.a.n }}', fixed: 7 },
    ));
    const a = plan.steps.get('a');
    expect(a).toMatchObject({
      id: 'a', index: 0, action: { id: 'add-one', version: '1.0.0' }, declaredInputs: ADD_ONE.inputs,
      retry: { attempts: 3, backoffMs: 2000, maxDelayMs: 300_000, on: [] }, timeoutMs: 5000, onFailure: 'undo', compensation: false, parallelism: 10, failFast: false,
    });
    expect(a?.inputs.get('n')?.kind).toBe('expression');
    expect(a?.when?.kind).toBe('expression');
    expect(plan.steps.get('undo')?.compensation).toBe(true);
    expect(plan.compensations).toEqual(['undo']);
    expect([...plan.results.keys()]).toEqual(['n', 'fixed']);
    expect(plan.results.get('fixed')).toEqual({ kind: 'literal', value: 7 });
    expect(plan.trigger).toMatchObject({ type: 'http', path: 'wf' });
  });
});

describe('Plan.planOf: what it refuses', () => {
  it.each([
    ['a cycle of two', aWorkflow({ a: { inputs: uses('b') }, b: { inputs: uses('a') } }), { type: 'Cycle', path: ['a', 'b'] }],
    ['a cycle through needs, below a root', aWorkflow({ r: {}, a: { needs: ['r', 'c'] }, b: { needs: ['a'] }, c: { needs: ['b'] } }), { type: 'Cycle', path: ['a', 'c', 'b'] }],
    ['a step using its own outputs', aWorkflow({ a: { inputs: uses('a') } }), { type: 'Cycle', path: ['a'] }],
    ['an unparsable template', aWorkflow({ a: { inputs: { n: '${{ steps.x.n + 1 }}' } } }), { type: 'BadTemplate', path: ['steps', 0, 'inputs', 'n'] }],
    ['an unclosed template in a result', aWorkflow({ a: {} }, { n: '${{ steps.a.n' }), { type: 'BadTemplate', path: ['results', 'n'] }],
    ['an unpinned action (a bare id)', aWorkflow({ a: { action: 'add-one' } }), { type: 'ActionNotPinned', step: 'a', action: 'add-one' }],
    ['an action version the deployment did not pin', aWorkflow({ a: { action: 'add-one@2.0.0' } }), { type: 'ActionNotPinned', step: 'a', action: 'add-one@2.0.0' }],
    ['a reference to an unknown step', aWorkflow({ a: { inputs: uses('ghost') } }), { type: 'UnknownStep', step: 'a', reference: 'ghost' }],
    ['needs naming an unknown step', aWorkflow({ a: { needs: ['ghost'] } }), { type: 'UnknownStep', step: 'a', reference: 'ghost' }],
    ['a step depending on a compensation', aWorkflow({ a: { on_failure: 'undo' }, undo: {}, b: { needs: ['undo'] } }), { type: 'DependsOnCompensation', step: 'b', compensation: 'undo' }],
    ['a result using a compensation', aWorkflow({ a: { on_failure: 'undo' }, undo: {} }, { n: '${{ steps.undo.n }}' }), { type: 'DependsOnCompensation', step: '(results)', compensation: 'undo' }],
    ['two steps of one id', { ...(aWorkflow({ a: {} }) as object), steps: [{ id: 'a', action: 'add-one@1.0.0' }, { id: 'a', action: 'add-one@1.0.0' }] }, { type: 'DuplicateStep', step: 'a' }],
    ['only compensations', aWorkflow({ a: { on_failure: 'b' }, b: { on_failure: 'a' } }), { type: 'NoSteps' }],
    ['a shape problem', { ...(aWorkflow({ a: {} }) as object), surprise: 1 }, { type: 'InvalidDocument' }],
  ] as [string, JsonValue, object][])('%s', (_name, document, error) => {
    const plan = Plan.planOf(document, [ADD_ONE]);
    expect(plan.ok).toBe(false);
    if (!plan.ok) {
      expect(plan.error).toMatchObject(error);
      expect(Plan.describePlanError(plan.error)).not.toBe('');
    }
  });
});
