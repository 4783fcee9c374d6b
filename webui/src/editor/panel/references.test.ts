import { describe, expect, it } from 'vitest';
import type { ActionSummary } from '../../api/library.js';
import type { WorkflowDraft } from '../draft.js';
import { asTemplate, offersFor, referenceIn, referencesFor } from './references.js';

function action(id: string, inputs: [string, string][], outputs: [string, string][], kind: ActionSummary['kind'] = 'Processor'): ActionSummary {
  const port = ([name, type]: [string, string]) => ({ name, type, help: '', optional: false, has_secret_default: false });
  return { id, version: '1.0.0', kind, name: id, description: '', runtime: 'nodejs', format: 'trellis', digest: '', inputs: inputs.map(port), outputs: outputs.map(port), categories: [], resources: {}, images: {}, logo_url: null, source: { source_id: '', commit: '', folder: '', build_id: '' }, built_at: '2026-01-01T00:00:00Z' };
}

const actions = [action('add-one', [['n', 'integer']], [['n', 'integer']]), action('uppercase', [['text', 'string']], [['text', 'string']]), action('ticker', [['every', 'string']], [['tick', 'integer']], 'Trigger')];
const catalog = { actions, variables: ['X'], secrets: ['TOKEN'] };

function draft(): WorkflowDraft {
  return {
    apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'wf',
    trigger: { type: 'manual', inputs: [{ name: 'count', type: 'integer' }, { name: 'word', type: 'string' }, { name: 'mode', type: 'enum', values: ['a', 'b'] }] },
    steps: [
      { id: 's1', action: 'add-one@1.0.0', inputs: { n: '${{ trigger.count }}' } },
      { id: 's2', action: 'add-one@1.0.0', inputs: {} },
      { id: 's3', action: 'add-one@1.0.0', inputs: { n: '${{ steps.s2.n }}' } },
      { id: 's4', action: 'uppercase', needs: ['s3'] },
    ],
  };
}

const texts = (options: { text: string }[]) => options.map((option) => option.text);

describe('the references a step input may use', () => {
  it('offers the trigger inputs, upstream outputs, variables and secrets, never itself or a step downstream', () => {
    const options = texts(referencesFor(draft(), { kind: 'step-input', step: 1 }, catalog));
    expect(options).toEqual(['trigger.count', 'trigger.word', 'trigger.mode', 'steps.s1.n', 'vars.X', 'secrets.TOKEN']);
  });

  it('lets a step read every step it is not upstream of', () => {
    expect(texts(referencesFor(draft(), { kind: 'step-input', step: 3 }, catalog))).toContain('steps.s2.n');
    expect(texts(referencesFor(draft(), { kind: 'step-input', step: 0 }, catalog))).toEqual(['trigger.count', 'trigger.word', 'trigger.mode', 'steps.s2.n', 'steps.s3.n', 'steps.s4.text', 'vars.X', 'secrets.TOKEN']);
  });

  it('says which fit an integer input, with the reason for those that do not', () => {
    const offers = offersFor(referencesFor(draft(), { kind: 'step-input', step: 1 }, catalog), { type: 'integer' });
    const fitting = offers.filter((offer) => offer.fit.ok).map((offer) => offer.text);
    expect(fitting).toEqual(['trigger.count', 'steps.s1.n', 'vars.X']);
    const word = offers.find((offer) => offer.text === 'trigger.word');
    expect(word?.fit).toEqual({ ok: false, reason: 'a string cannot fill an integer input' });
  });

  it('offers secrets to a password or string input, never to an integer one', () => {
    const options = referencesFor(draft(), { kind: 'step-input', step: 3 }, catalog);
    expect(offersFor(options, { type: 'password' }).find((offer) => offer.text === 'secrets.TOKEN')?.fit.ok).toBe(true);
    expect(offersFor(options, { type: 'string' }).find((offer) => offer.text === 'secrets.TOKEN')?.fit.ok).toBe(true);
    expect(offersFor(options, { type: 'integer' }).find((offer) => offer.text === 'secrets.TOKEN')?.fit.ok).toBe(false);
  });

  it('keeps secrets to action inputs: not in when, foreach or results', () => {
    expect(texts(referencesFor(draft(), { kind: 'step-control', step: 1 }, catalog))).not.toContain('secrets.TOKEN');
    const results = texts(referencesFor(draft(), { kind: 'result' }, catalog));
    expect(results).toEqual(['trigger.count', 'trigger.word', 'trigger.mode', 'steps.s1.n', 'steps.s2.n', 'steps.s3.n', 'steps.s4.text', 'vars.X']);
  });

  it('offers item in a foreach step, with the list items\' type, and foreach outputs as lists', () => {
    const d = draft();
    d.steps[1] = { ...d.steps[1]!, foreach: '${{ steps.s1.n }}' };
    d.steps[0] = { ...d.steps[0]!, foreach: [1, 2, 3] };
    const options = referencesFor(d, { kind: 'step-input', step: 1 }, catalog);
    expect(options.find((option) => option.text === 'steps.s1.n')?.type).toEqual({ kind: 'list', of: { kind: 'io', type: 'integer' } });
    expect(options.find((option) => option.text === 'item')?.type).toEqual({ kind: 'io', type: 'integer' });
    const first = referencesFor(d, { kind: 'step-input', step: 0 }, catalog);
    expect(first.find((option) => option.text === 'item')?.type).toEqual({ kind: 'io', type: 'integer' });
    expect(texts(referencesFor(d, { kind: 'step-control', step: 1 }, catalog))).not.toContain('item');
    expect(texts(referencesFor(draft(), { kind: 'step-input', step: 1 }, catalog))).not.toContain('item');
  });

  it('gives a compensation failure.* and only the failed step\'s upstream; nobody else reads it', () => {
    const d = draft();
    d.steps[2] = { ...d.steps[2]!, on_failure: 's4' };
    d.steps[3] = { id: 's4', action: 'uppercase' };
    const inCompensation = texts(referencesFor(d, { kind: 'step-input', step: 3 }, catalog));
    expect(inCompensation).toEqual(['trigger.count', 'trigger.word', 'trigger.mode', 'steps.s2.n', 'failure.step', 'failure.attempts', 'failure.error.code', 'failure.error.message', 'vars.X', 'secrets.TOKEN']);
    expect(texts(referencesFor(d, { kind: 'step-input', step: 0 }, catalog))).not.toContain('steps.s4.text');
    expect(texts(referencesFor(d, { kind: 'result' }, catalog))).not.toContain('steps.s4.text');
    expect(texts(referencesFor(d, { kind: 'step-input', step: 0 }, catalog))).not.toContain('failure.step');
  });

  it('survives a cycle', () => {
    const d = draft();
    d.steps[1] = { ...d.steps[1]!, needs: ['s3'] };
    expect(texts(referencesFor(d, { kind: 'step-input', step: 1 }, catalog))).not.toContain('steps.s3.n');
  });
});

describe('the references of the trigger and its outputs', () => {
  it('gives the trigger\'s own inputs only variables, and secrets to an action trigger', () => {
    expect(texts(referencesFor(draft(), { kind: 'trigger-input' }, catalog))).toEqual(['vars.X']);
    const d: WorkflowDraft = { ...draft(), trigger: { type: 'action', action: 'ticker@1.0.0' } };
    expect(texts(referencesFor(d, { kind: 'trigger-input' }, catalog))).toEqual(['vars.X', 'secrets.TOKEN']);
  });

  it('reads a schedule\'s inputs and a trigger action\'s outputs as trigger outputs', () => {
    const scheduled: WorkflowDraft = { ...draft(), trigger: { type: 'schedule', cron: '* * * * *', inputs: { size: 3, bucket: '${{ vars.X }}' } } };
    const options = referencesFor(scheduled, { kind: 'step-input', step: 0 }, catalog);
    expect(options.slice(0, 2)).toMatchObject([{ text: 'trigger.size', type: { kind: 'io', type: 'integer' } }, { text: 'trigger.bucket', type: { kind: 'any' } }]);
    const acted: WorkflowDraft = { ...draft(), trigger: { type: 'action', action: 'ticker' } };
    expect(referencesFor(acted, { kind: 'step-input', step: 0 }, catalog)[0]).toMatchObject({ text: 'trigger.tick', type: { kind: 'io', type: 'integer' } });
  });
});

describe('references as values', () => {
  it('writes and reads ${{ }}', () => {
    expect(asTemplate('steps.s1.n')).toBe('${{ steps.s1.n }}');
    expect(referenceIn('${{ steps.s1.n }}')).toBe('steps.s1.n');
    expect(referenceIn(' ${{trigger.x}} ')).toBe('trigger.x');
    expect(referenceIn('${{ trigger.x == 1 }}')).toBeUndefined();
    expect(referenceIn('thumb-${{ item }}')).toBeUndefined();
    expect(referenceIn(5)).toBeUndefined();
  });
});
