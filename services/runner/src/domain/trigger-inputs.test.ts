import { describe, expect, it } from 'vitest';
import type { IoDeclaration } from '@trellis/workflow-language/document';
import { checkTriggerInputs } from './trigger-inputs.js';
import { take } from './rate-limit.js';
import { maskPasswords } from './secret-mask.js';

const input = (name: string, type: IoDeclaration['type'], more: Partial<IoDeclaration> = {}): IoDeclaration => ({ name, type, help: '', optional: false, ...more });

type Given = Parameters<typeof checkTriggerInputs>[1];
type Case<T> = [string, Given, 'body' | 'query' | 'form', T];
const upload = { object: 'p/runs/r/trigger/doc', name: 'a.csv', size: 3, content_type: 'text/csv' };

const declared = [
  input('n', 'integer'), input('ratio', 'float', { optional: true }), input('fast', 'boolean', { default: false }),
  input('mode', 'enum', { values: ['a', 'b'], optional: true }), input('meta', 'json', { optional: true }), input('key', 'password', { optional: true }),
];

describe('checkTriggerInputs', () => {
  it.each([
    ['a JSON body with defaults and optional inputs', { n: 1 }, 'body', { n: 1, ratio: null, fast: false, mode: null, meta: null, key: null }],
    ['every input given in a body', { n: 2, ratio: 0.5, fast: true, mode: 'b', meta: { x: [1] }, key: 's3cret' }, 'body', { n: 2, ratio: 0.5, fast: true, mode: 'b', meta: { x: [1] }, key: 's3cret' }],
    ['query values read by their declared type', { n: '-3', ratio: '1e2', fast: 'true', mode: 'a', meta: '{"x":1}' }, 'query', { n: -3, ratio: 100, fast: true, mode: 'a', meta: { x: 1 }, key: null }],
    ['a query string stays a string for a text input', { n: '1', key: '123' }, 'query', { n: 1, ratio: null, fast: false, mode: null, meta: null, key: '123' }],
  ] satisfies Case<unknown>[])('takes %s', (_, given, from, expected) => {
    expect(checkTriggerInputs(declared, given, from)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['a missing required input', {}, 'body', [['n', 'required_input_missing']]],
    ['values of the wrong type, each named', { n: 1.5, fast: 'yes', mode: 'c', key: 42 }, 'body', [['n', 'type_mismatch'], ['fast', 'type_mismatch'], ['mode', 'type_mismatch'], ['key', 'type_mismatch']]],
    ['an input the trigger does not declare', { n: 1, extra: 1 }, 'body', [['extra', 'unknown_input']]],
    ['query text that is not of the type', { n: '1.0', ratio: '', fast: 'yes', meta: '{' }, 'query', [['n', 'type_mismatch'], ['ratio', 'type_mismatch'], ['fast', 'type_mismatch'], ['meta', 'type_mismatch']]],
    ['a query input given twice', { n: ['1', '2'] }, 'query', [['n', 'repeated_input']]],
  ] satisfies Case<string[][]>[])('refuses %s', (_, given, from, expected) => {
    const checked = checkTriggerInputs(declared, given, from);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.error.map((finding) => [finding.input, finding.code])).toEqual(expected);
  });

  it('never repeats a password\'s value and asks for file inputs as multipart parts', () => {
    const checked = checkTriggerInputs([input('key', 'password'), input('doc', 'file')], { key: { secret: 'hunter2' }, doc: { file: 'x' } }, 'body');
    expect(JSON.stringify(checked)).not.toContain('hunter2');
    expect(checked.ok ? [] : checked.error.map((finding) => finding.code)).toEqual(['type_mismatch', 'file_needs_multipart']);
  });

  const withFile = [input('doc', 'file'), input('n', 'integer'), input('tree', 'directory', { optional: true })];
  it('takes a form: file parts as stored files, text fields read by their type', () => {
    expect(checkTriggerInputs(withFile, { doc: upload, n: '4' }, 'form')).toEqual({ ok: true, value: { doc: upload, n: 4, tree: null } });
  });

  it.each([
    ['a text field for a file input', { doc: 'a.csv', n: '1' }, [['doc', 'file_expected']]],
    ['a file part for a text input', { doc: upload, n: upload }, [['n', 'type_mismatch']]],
    ['a missing file', { n: '1' }, [['doc', 'required_input_missing']]],
    ['a file given in a query string', { doc: 'x', n: '1' }, [['doc', 'file_needs_multipart']], 'query'],
  ] as [string, Given, string[][], ('form' | 'query')?][])('refuses %s in a form', (_, given, expected, from = 'form') => {
    const checked = checkTriggerInputs(withFile, given, from);
    expect(checked.ok ? [] : checked.error.map((finding) => [finding.input, finding.code])).toEqual(expected);
  });
});

describe('take (token bucket)', () => {
  const limit = { rate: 2, burst: 3 };
  it('lets a burst through, then one token per 1/rate s, and says when the next one comes', () => {
    let bucket = undefined as Parameters<typeof take>[0];
    const outcomes: boolean[] = [];
    for (let i = 0; i < 4; i += 1) {
      const taken = take(bucket, 1000, limit);
      bucket = taken.bucket;
      outcomes.push(taken.allowed);
    }
    expect(outcomes).toEqual([true, true, true, false]);
    expect(take(bucket, 1000, limit).retryAfterMs).toBe(500);
    expect(take(bucket, 1500, limit).allowed).toBe(true);
    expect(take({ tokens: 0, at: 0 }, 60_000, limit).bucket.tokens).toBe(2); // never more than the burst (3 - 1)
  });
});

describe('maskPasswords', () => {
  it('masks every password-typed value and leaves the rest (and null) alone', () => {
    expect(maskPasswords({ token: 'abc', n: 1, empty: null }, [{ name: 'token', type: 'password' }, { name: 'n', type: 'integer' }, { name: 'empty', type: 'password' }]))
      .toEqual({ token: '***', n: 1, empty: null });
  });
});
