import { describe, expect, it } from 'vitest';
import { initialValue, readField } from './run-inputs.js';

describe('the manual run form', () => {
  it('prefills each field with its default, in the form the field takes', () => {
    expect(initialValue({ name: 'n', type: 'integer', default: 3 })).toBe('3');
    expect(initialValue({ name: 'b', type: 'boolean' })).toBe(false);
    expect(initialValue({ name: 'b', type: 'boolean', default: true })).toBe(true);
    expect(initialValue({ name: 'j', type: 'json', default: { a: 1 } })).toBe('{\n  "a": 1\n}');
    expect(initialValue({ name: 'f', type: 'file' })).toBeNull();
  });

  it('reads each type, and says what is wrong', () => {
    expect(readField({ name: 'n', type: 'integer' }, '42')).toEqual({ ok: true, value: 42 });
    expect(readField({ name: 'n', type: 'integer' }, '4.2')).toEqual({ ok: false, message: 'A whole number' });
    expect(readField({ name: 'x', type: 'float' }, '0.5')).toEqual({ ok: true, value: 0.5 });
    expect(readField({ name: 'x', type: 'float' }, 'abc')).toEqual({ ok: false, message: 'A number' });
    expect(readField({ name: 'j', type: 'json' }, '[1, 2]')).toEqual({ ok: true, value: [1, 2] });
    expect(readField({ name: 'j', type: 'json' }, '{oops')).toMatchObject({ ok: false, message: expect.stringMatching(/^Not JSON/) });
    expect(readField({ name: 'e', type: 'enum', values: ['a', 'b'] }, 'c')).toEqual({ ok: false, message: 'One of a, b' });
    expect(readField({ name: 'b', type: 'boolean' }, true)).toEqual({ ok: true, value: true });
  });

  it('leaves out an empty optional field or one with a default; an empty required one is refused', () => {
    expect(readField({ name: 's', type: 'string', optional: true }, '')).toEqual({ ok: true, absent: true });
    expect(readField({ name: 's', type: 'string', default: 'x' }, '')).toEqual({ ok: true, absent: true });
    expect(readField({ name: 's', type: 'string' }, '')).toEqual({ ok: false, message: 'Required' });
    expect(readField({ name: 'f', type: 'file' }, null)).toEqual({ ok: false, message: 'Required' });
  });
});
