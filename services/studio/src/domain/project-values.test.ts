import { describe, expect, it } from 'vitest';
import * as Values from './project-values.js';

const now = new Date('2026-11-01T10:00:00Z');
const base = { projectId: 'p1', revision: 7, updatedBy: 'u1', now };
const nested = (depth: number): Values.JsonValue => (depth === 0 ? 'leaf' : [nested(depth - 1)]);
const rejection = (result: { ok: boolean; error?: { type: string } }) => (result.ok ? undefined : result.error?.type);

describe('names of variables and secrets', () => {
  it.each([
    ['API_URL', true], ['_private', true], ['a', true], ['x1_2', true], ['A'.repeat(64), true],
    ['', false], ['1ST', false], ['has-dash', false], ['has space', false], ['dot.ted', false], ['A'.repeat(65), false],
    ['émoji', false], ['../x', false], ['NAME\n', false],
  ] as const)('"%s" -> %s', (name, valid) => {
    expect(Values.checkName(name) === undefined).toBe(valid);
  });
});

describe('depth of a JSON value', () => {
  it.each([
    ['a scalar', 'x', 0], ['null', null, 0], ['an empty list', [], 1], ['an object of lists', { a: [1, [2]] }, 3], ['32 levels', nested(32), 32],
  ] as const)('%s: %s', (_case, value, depth) => {
    expect(Values.depthOf(value as Values.JsonValue)).toBe(depth);
  });

  it('stops counting past the limit (a value nested 100 000 deep costs nothing)', () => {
    let deep: Values.JsonValue = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(Values.depthOf(deep, 32)).toBe(33);
  });
});

describe('setting a variable', () => {
  it('keeps any JSON value, and says so in an event with its JSON text and revision', () => {
    const value = { url: 'https://x', retries: 3, on: true, tags: ['a'] };
    expect(Values.setVariable({ ...base, name: 'CONFIG', value })).toEqual({
      ok: true,
      value: {
        variable: { projectId: 'p1', name: 'CONFIG', value, revision: 7, updatedAt: now, updatedBy: 'u1' },
        event: { type: 'ProjectVariableSet', projectId: 'p1', name: 'CONFIG', valueJson: JSON.stringify(value), revision: 7, occurredAt: now },
      },
    });
  });

  it.each([
    ['a string', 'text', undefined], ['a number', 1.5, undefined], ['false', false, undefined], ['an empty string', '', undefined],
    ['exactly 64 KiB of JSON text', 'x'.repeat(64 * 1024 - 2), undefined],
    ['one byte more', 'x'.repeat(64 * 1024 - 1), 'ValueTooLarge'],
    ['64 KiB counted in UTF-8 bytes, not characters', 'é'.repeat(32 * 1024), 'ValueTooLarge'],
    ['null', null, 'InvalidValue'],
    ['lists 33 deep', nested(33), 'ValueTooDeep'],
    ['lists 32 deep', nested(32), undefined],
  ] as const)('%s -> %s', (_case, value, expected) => {
    expect(rejection(Values.setVariable({ ...base, name: 'V', value: value as Values.JsonValue }))).toBe(expected);
  });

  it('refuses a bad name before it looks at the value', () => {
    expect(Values.setVariable({ ...base, name: '9lives', value: null })).toMatchObject({ ok: false, error: { type: 'InvalidName' } });
  });
});

describe('setting a secret', () => {
  it.each([
    ['a token', 's3cr3t', undefined], ['64 KiB', 'x'.repeat(64 * 1024), undefined], ['64 KiB + 1', 'x'.repeat(64 * 1024 + 1), 'ValueTooLarge'],
    ['an empty value', '', 'InvalidValue'], ['a multi-line PEM', '-----BEGIN KEY-----\nabc\n-----END KEY-----\n', undefined],
  ] as const)('%s -> %s', (_case, value, expected) => {
    expect(rejection(Values.setSecret({ ...base, name: 'TOKEN', value }))).toBe(expected);
  });

  it('keeps only the name and when it changed; its event carries the sealed value for the runner, not the value', () => {
    const set = Values.setSecret({ ...base, name: 'TOKEN', value: 'hunter2' });
    if (!set.ok) throw new Error('refused');
    expect(set.value).toEqual({ projectId: 'p1', name: 'TOKEN', revision: 7, updatedAt: now, updatedBy: 'u1' });
    expect(JSON.stringify(set.value)).not.toContain('hunter2');
    const sealedValue = new Uint8Array([1, 2, 3]);
    expect(Values.secretSet(set.value, { sealedValue, keyId: 'k1' })).toEqual({
      type: 'ProjectSecretSet', projectId: 'p1', name: 'TOKEN', sealedValue, keyId: 'k1', revision: 7, occurredAt: now,
    });
  });

  it('refuses a bad name', () => {
    expect(Values.setSecret({ ...base, name: 'MY-TOKEN', value: 'x' })).toMatchObject({ ok: false, error: { type: 'InvalidName' } });
  });
});
