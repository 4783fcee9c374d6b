import { describe, expect, it } from 'vitest';
import type { IoSpec } from '@trellis/kernel/io';
import type { PinnedAction } from './deployment.js';
import { eventOutputs, failuresAfter, listenInputs, restartDelayMs, triggerActionOf } from './trigger-action.js';

const spec = (name: string, type: string, more: Partial<IoSpec> = {}): IoSpec => ({ name, type, help: '', optional: false, ...more });

const ticker: PinnedAction = {
  actionId: 'ticker', version: '1.0.0', digest: 'd', artifactObject: 'o', artifactSize: 1, kind: 'Trigger', runtime: 'nodejs', format: 'trellis',
  inputs: [spec('count', 'integer'), spec('token', 'password'), spec('every', 'integer', { default: 5 })],
  outputs: [spec('n', 'integer'), spec('note', 'string', { optional: true })], resources: {},
};

const doc = (trigger: Record<string, unknown>) => JSON.stringify({ apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'w', trigger, steps: [{ id: 'a', action: 'x@1' }] });

describe('triggerActionOf', () => {
  it('is undefined for another trigger type', () => {
    expect(triggerActionOf(doc({ type: 'http', path: 'p' }), [ticker])).toBeUndefined();
  });
  it.each([
    ['an unpinned version', { type: 'action', action: 'ticker' }, [ticker], 'NotPinned'],
    ['a version not sent', { type: 'action', action: 'ticker@2.0.0' }, [ticker], 'NotPinned'],
    ['a Processor', { type: 'action', action: 'ticker@1.0.0' }, [{ ...ticker, kind: 'Processor' as const }], 'NotATrigger'],
  ])('refuses %s', (_name, trigger, actions, type) => {
    expect(triggerActionOf(doc(trigger), actions)).toMatchObject({ ok: false, error: { type } });
  });
  it('gives the pinned action, its input templates and the secrets they name', () => {
    const found = triggerActionOf(doc({ type: 'action', action: 'ticker@1.0.0', inputs: { count: '${{ vars.N }}', token: '${{ secrets.T }}' } }), [ticker]);
    expect(found).toMatchObject({ ok: true, value: { action: { actionId: 'ticker' }, secrets: ['T'] } });
  });
});

describe('listenInputs', () => {
  const trigger = triggerActionOf(doc({ type: 'action', action: 'ticker@1.0.0', inputs: { count: '${{ vars.N }}', token: '${{ secrets.T }}' } }), [ticker]);
  if (!trigger?.ok) throw new Error('the trigger should read');
  it('renders variables and secrets, fills defaults', () => {
    const values = listenInputs(trigger.value, { variables: new Map([['N', 3]]), secret: (name) => (name === 'T' ? 's3cret' : undefined) });
    expect(values).toEqual({ ok: true, value: { count: 3, token: 's3cret', every: 5 } });
  });
  it('names each problem, never the secret', () => {
    const values = listenInputs(trigger.value, { variables: new Map([['N', 'many']]), secret: () => undefined });
    expect(values.ok).toBe(false);
    if (values.ok) return;
    expect(values.error.problems.map((problem) => [problem.input, problem.code])).toEqual([['count', 'type_mismatch'], ['token', 'secret_missing']]);
  });
});

describe('eventOutputs', () => {
  it.each([
    ['declared values, an optional one left out as null', { n: 1 }, { ok: true, value: { n: 1, note: null } }],
    ['a missing required output', { note: 'x' }, { ok: false, error: 'n (integer) is required and missing' }],
    ['a value of another type', { n: 'one' }, { ok: false }],
    ['an undeclared output', { n: 1, extra: true }, { ok: false, error: 'extra is not a declared output' }],
  ])('%s', (_name, emitted, expected) => {
    expect(eventOutputs(ticker.outputs, emitted)).toMatchObject(expected);
  });
});

describe('restart backoff', () => {
  it('doubles from 1 s to 60 s', () => {
    expect([1, 2, 3, 6, 7, 8, 40].map((n) => restartDelayMs(n))).toEqual([1000, 2000, 4000, 32_000, 60_000, 60_000, 60_000]);
  });
  it('counts again after a healthy minute', () => {
    expect(failuresAfter(5, 59_999)).toBe(6);
    expect(failuresAfter(5, 60_000)).toBe(1);
  });
});
