import type { IoDefinition, IoType } from '@trellis/action-manifest/definition';
import { describe, expect, it } from 'vitest';
import { decodeInputs, encodeOutputs, safeFileName } from './values.js';

const io = (name: string, type: IoType, extra: Partial<IoDefinition> = {}): IoDefinition => ({ name, type, help: '', optional: false, ...extra });
const at = (p: string) => `/work/${p}`;

describe('decodeInputs', () => {
  it('fills defaults, leaves optional inputs absent, parses json and integers, lists downloads', () => {
    const result = decodeInputs(
      [io('n', 'integer', { default: 800 }), io('o', 'string', { optional: true }), io('j', 'json'), io('i', 'integer'), io('f', 'file'), io('d', 'directory')],
      {
        j: { type: 'json', value: '{"a":null}' },
        i: { type: 'integer', value: '-42' },
        f: { type: 'file', url: 'http://s3/x?sig', name: '../../etc/passwd' },
        d: { type: 'directory', url: 'http://s3/d.tar' },
      },
    );
    expect(result).toEqual({
      ok: true,
      value: {
        values: { n: 800, j: { a: null }, i: -42 },
        downloads: [
          { name: 'f', type: 'file', url: 'http://s3/x?sig', fileName: 'passwd' },
          { name: 'd', type: 'directory', url: 'http://s3/d.tar', fileName: 'd' },
        ],
      },
    });
  });

  it('gives an unset optional input (no default) as null when asked, as Ryax gives None', () => {
    const declared = [io('o', 'string', { optional: true }), io('p', 'file', { optional: true }), io('d', 'float', { optional: true, default: 1 })];
    expect(decodeInputs(declared, {}, { unsetOptional: 'null' })).toEqual({ ok: true, value: { values: { o: null, p: null, d: 1 }, downloads: [] } });
    expect(decodeInputs(declared, {}, { unsetOptional: 'absent' })).toEqual({ ok: true, value: { values: { d: 1 }, downloads: [] } });
  });

  it('gives an injected input the endpoint of the wrapper, typed as declared, whatever the request says', () => {
    const declared = [io('port', 'integer', { injected: 'http_port' }), io('portText', 'string', { injected: 'http_port' }), io('prefix', 'string', { injected: 'http_prefix' })];
    const endpoint = { port: 8123, prefix: '/hooks' };
    expect(decodeInputs(declared, { port: { type: 'integer', value: '1' } }, { unsetOptional: 'absent', endpoint })).toEqual({
      ok: true,
      value: { values: { port: 8123, portText: '8123', prefix: '/hooks' }, downloads: [] },
    });
    expect(decodeInputs(declared, {})).toMatchObject({ ok: false, error: { message: "input 'port' (integer) is required" } });
  });

  it.each([
    ['missing', [io('a', 'string')], {}, "input 'a' (string) is required"],
    ['mistyped', [io('a', 'float')], { a: { type: 'string', value: '1' } }, "input 'a' is declared float but a string value was given"],
    ['unknown', [], { b: { type: 'boolean', value: true } }, "unknown input 'b'"],
    ['bad enum', [io('a', 'enum', { values: ['x'] })], { a: { type: 'enum', value: 'y' } }, "input 'a' must be one of x; got 'y'"],
    ['file without URL', [io('a', 'file')], { a: { type: 'file', url: '', name: 'n' } }, "input 'a' (file) has no URL"],
  ] as const)('rejects a %s input', (_label, declared, wire, message) => {
    expect(decodeInputs(declared, wire)).toEqual({ ok: false, error: { code: 'bad_input', message } });
  });
});

describe('encodeOutputs', () => {
  it('types every declared output and resolves paths', () => {
    const result = encodeOutputs(
      [io('i', 'integer'), io('big', 'integer'), io('f', 'float'), io('j', 'json'), io('n', 'json'), io('p', 'password'), io('file', 'file'), io('opt', 'string', { optional: true })],
      { i: 3, big: 2n ** 63n - 1n, f: 2, j: { a: [1] }, n: null, p: 'x', file: 'out.txt' },
      at,
    );
    expect(result).toEqual({
      ok: true,
      value: {
        values: {
          i: { type: 'integer', value: '3' },
          big: { type: 'integer', value: '9223372036854775807' },
          f: { type: 'float', value: 2 },
          j: { type: 'json', value: '{"a":[1]}' },
          n: { type: 'json', value: 'null' },
          p: { type: 'password', value: 'x' },
        },
        uploads: [{ name: 'file', type: 'file', path: '/work/out.txt' }],
      },
    });
  });

  it.each([
    ['not an object', [io('a', 'string')], 'text', 'the handler must return an object keyed by output name; it returned the string "text"'],
    ['a missing output', [io('a', 'string')], {}, "output 'a' (string) is missing"],
    ['a float for an integer', [io('a', 'integer')], { a: 1.5 }, "output 'a' must be an integer; got the number 1.5"],
    ['a string for a boolean', [io('a', 'boolean')], { a: 'true' }, 'output \'a\' must be a boolean; got the string "true"'],
    ['an enum value outside the list', [io('a', 'enum', { values: ['x'] })], { a: 'y' }, "output 'a' must be one of x; got 'y'"],
    ['an unknown output', [io('a', 'string', { optional: true })], { b: 1 }, "unknown output 'b' (declared: a)"],
    ['a number for a file', [io('a', 'file')], { a: 1 }, "output 'a' (file) must be a local path; got the integer 1"],
    ['null for a string', [io('a', 'string')], { a: null }, "output 'a' (string) is missing"],
  ] as const)('rejects %s', (_label, declared, returned, message) => {
    expect(encodeOutputs(declared, returned, at)).toEqual({ ok: false, error: { code: 'bad_output', message } });
  });

  it('accepts nothing returned when every output is optional', () => {
    expect(encodeOutputs([io('a', 'string', { optional: true })], undefined, at)).toEqual({ ok: true, value: { values: {}, uploads: [] } });
  });
});

describe('safeFileName', () => {
  it.each([
    ['notes.txt', 'notes.txt'],
    ['a/b/c.png', 'c.png'],
    ['..', 'input'],
    ['', 'input'],
    ['dir\\evil.exe', 'evil.exe'],
  ])('%s -> %s', (name, safe) => expect(safeFileName(name)).toBe(safe));
});
