import { describe, expect, it } from 'vitest';
import {
  compact, cpuError, durationError, errorOf, httpPathError, memoryError, nameError, parseJsonText, problemsByField, quantityOf, stepIdError, webhookError, withField, workflowNameError,
} from './fields.js';

describe('the value rules of the side panels', () => {
  it('removes an emptied field instead of writing it as \'\' or null', () => {
    const step: { id: string; title?: string; needs?: string[] } = { id: 's1', title: 'x', needs: ['a'] };
    expect(withField(step, 'title', '')).toEqual({ id: 's1', needs: ['a'] });
    expect(withField(step, 'needs', [])).toEqual({ id: 's1', title: 'x' });
    expect(withField(step, 'title', 'y')).toEqual({ id: 's1', title: 'y', needs: ['a'] });
    expect(compact({ a: '', b: 1, c: undefined })).toEqual({ b: 1 });
    expect(compact({ a: '' })).toBeUndefined();
  });

  it('puts each problem on its field, the longest field first, and the others at the top', () => {
    const { byField, rest } = problemsByField([
      { code: 'bad_duration', path: 'steps[1].retry.backoff', message: 'backoff' },
      { code: 'missing_field', path: 'steps[1].retry', message: 'retry' },
      { code: 'type_mismatch', path: 'steps[1].inputs.n', message: 'n' },
      { code: 'unknown_step_reference', path: 'steps[1].needs[0]', message: 'needs' },
      { code: 'cycle', path: 'steps[1]', message: 'cycle' },
    ], 'steps[1]', ['retry', 'retry.backoff', 'inputs.n', 'needs']);
    expect(Object.fromEntries(byField)).toEqual({ 'retry.backoff': ['backoff'], retry: ['retry'], 'inputs.n': ['n'], needs: ['needs'] });
    expect(rest.map((problem) => problem.code)).toEqual(['cycle']);
    expect(errorOf(byField, 'inputs.n', 'local')).toBe('n');
    expect(errorOf(byField, 'timeout', 'local')).toBe('local');
  });

  it('checks durations, step ids, names and JSON as they are typed', () => {
    expect(durationError('5 minutes')).toMatch(/Not a duration/);
    expect(durationError('1h30m')).toBeUndefined();
    expect(durationError('')).toBeUndefined();
    expect(stepIdError('s1', ['s1', 's2'])).toBe('Another step is already called s1');
    expect(stepIdError('1s', [])).toMatch(/A letter/);
    expect(stepIdError('undo-s2', [])).toBeUndefined();
    expect(nameError('n', ['n'])).toBe('n is already used');
    expect(nameError('2x', [])).toMatch(/Letters/);
    expect(parseJsonText('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJsonText('')).toEqual({ ok: true, value: undefined });
    expect(parseJsonText('{a')).toMatchObject({ ok: false });
  });

  it('checks a workflow\'s name, an HTTP path and a webhook URL as studio does', () => {
    expect(workflowNameError('add-ten')).toBeUndefined();
    expect(workflowNameError('ab')).toBeDefined();
    expect(workflowNameError('-ab')).toBeDefined();
    expect(workflowNameError('Add')).toBeDefined();
    expect(httpPathError('images/resize')).toBeUndefined();
    expect(httpPathError('/images')).toBeDefined();
    expect(httpPathError('a/b/c/d/e/f/g/h/i')).toBeDefined();
    expect(webhookError('https://example.com/x')).toBeUndefined();
    expect(webhookError('ftp://example.com')).toBeDefined();
    expect(webhookError('not a url')).toBeDefined();
    expect(webhookError(undefined)).toBeUndefined();
  });

  it('checks a step\'s cpu and memory as studio does, keeping plain numbers as numbers', () => {
    for (const cpu of [0.5, 2, '500m', '0.5', undefined, '']) expect(cpuError(cpu)).toBeUndefined();
    for (const cpu of [0, 65, 'two', '0m', '2 cores']) expect(cpuError(cpu)).toMatch(/Cores/);
    for (const memory of ['512Mi', '1Gi', '256M', 1_048_576, '4096', undefined]) expect(memoryError(memory)).toBeUndefined();
    for (const memory of ['512MB', '257Gi', 1.5, '0Mi']) expect(memoryError(memory)).toMatch(/size/);
    expect([quantityOf('2'), quantityOf(' 0.5 '), quantityOf('500m'), quantityOf('1Gi'), quantityOf('')]).toEqual([2, 0.5, '500m', '1Gi', undefined]);
  });
});
