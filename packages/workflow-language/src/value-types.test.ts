import type { JsonValue } from '@trellis/kernel/io';
import { describe, expect, it } from 'vitest';
import { ANY, assignable, commonType, describeType, io, IO_TYPES, isIoType, listOf, NULL, staticFits, typeOfLiteral, type IoType, type Target, type ValueType } from './value-types.js';

const to = (type: IoType, values?: readonly string[]): Target => (values === undefined ? { type } : { type, values });

describe('io types', () => {
  it('knows exactly the ten types', () => {
    expect(IO_TYPES).toHaveLength(10);
    expect(IO_TYPES.every(isIoType)).toBe(true);
    expect(['String', 'int', 'number', 'list', '', null, 1, undefined].some(isIoType)).toBe(false);
  });

  it.each([
    [io('integer'), 'integer'],
    [listOf(io('integer')), 'list of integer'],
    [listOf(listOf(io('string'))), 'list of list of string'],
    [ANY, 'any value'],
    [NULL, 'null'],
    [io('enum', ['a', 'b']), 'enum (a, b)'],
    [io('enum'), 'enum'],
  ] as const)('describes %j as %s', (type, text) => {
    expect(describeType(type)).toBe(text);
  });
});

describe('assignable: what may fill an input', () => {
  const ok = (from: ValueType, target: Target) => expect(assignable(from, target)).toEqual({ ok: true });

  it.each([
    ['the same type', io('integer'), to('integer')],
    ['the same type (file)', io('file'), to('file')],
    ['the same type (directory)', io('directory'), to('directory')],
    ['integer -> float', io('integer'), to('float')],
    ['string -> longstring', io('string'), to('longstring')],
    ['string -> password', io('string'), to('password')],
    ['longstring -> string', io('longstring'), to('string')],
    ['longstring -> password', io('longstring'), to('password')],
    ['password -> string', io('password'), to('string')],
    ['password -> longstring', io('password'), to('longstring')],
    ['integer -> string (as text)', io('integer'), to('string')],
    ['float -> longstring (as text)', io('float'), to('longstring')],
    ['boolean -> string (as text)', io('boolean'), to('string')],
    ['json -> string (as text)', io('json'), to('string')],
    ['enum -> string', io('enum', ['a']), to('string')],
    ['enum -> enum, every value allowed', io('enum', ['a', 'b']), to('enum', ['a', 'b', 'c'])],
    ['enum -> enum that lists no values', io('enum', ['x']), to('enum')],
    ['integer -> json', io('integer'), to('json')],
    ['password -> json', io('password'), to('json')],
    ['a list -> json', listOf(io('integer')), to('json')],
    ['a list -> string', listOf(io('integer')), to('string')],
    ['a list -> longstring', listOf(ANY), to('longstring')],
    ['any -> integer (checked at run time)', ANY, to('integer')],
    ['any -> file (checked at run time)', ANY, to('file')],
    ['null -> integer (the caller deals with required inputs)', NULL, to('integer')],
    ['null -> file', NULL, to('file')],
  ] as const)('%s', (_case, from, target) => ok(from, target));

  it.each([
    ['float -> integer', io('float'), to('integer'), 'a float may have a fraction; an integer input cannot take it'],
    ['string -> enum', io('string'), to('enum', ['a', 'b']), 'a string may hold any text; an enum input takes only a, b'],
    ['longstring -> enum', io('longstring'), to('enum', ['a']), 'a longstring may hold any text; an enum input takes only a'],
    ['enum -> enum with a value not allowed', io('enum', ['a', 'z']), to('enum', ['a', 'b']), "the enum may hold 'z', which the input does not allow (a, b)"],
    ['enum with unknown values -> enum', io('enum'), to('enum', ['a']), 'an enum whose values are not known cannot fill an enum input that takes only a'],
    ['integer -> enum', io('integer'), to('enum', ['1']), 'an integer cannot fill an enum input (1)'],
    ['string -> integer', io('string'), to('integer'), 'a string cannot fill an integer input'],
    ['boolean -> float', io('boolean'), to('float'), 'a boolean cannot fill a float input: it takes a float or an integer'],
    ['string -> boolean', io('string'), to('boolean'), 'a string cannot fill a boolean input'],
    ['integer -> password', io('integer'), to('password'), 'a password input takes only text (string, longstring or password), not an integer'],
    ['enum -> password', io('enum', ['a']), to('password'), 'a password input takes only text (string, longstring or password), not an enum (a)'],
    ['file -> string', io('file'), to('string'), 'a file fills only a file input, not a string input'],
    ['file -> json', io('file'), to('json'), 'a file fills only a file input, not a json input'],
    ['file -> directory', io('file'), to('directory'), 'a file fills only a file input, not a directory input'],
    ['directory -> file', io('directory'), to('file'), 'a directory fills only a directory input, not a file input'],
    ['string -> file', io('string'), to('file'), 'a file input takes only a file, not a string'],
    ['json -> directory', io('json'), to('directory'), 'a directory input takes only a directory, not a json'],
    ['json -> integer', io('json'), to('integer'), 'a json cannot fill an integer input'],
    ['a list -> integer', listOf(io('integer')), to('integer'), 'a list of integer cannot fill an integer input: a list fills only a json, string or longstring input'],
    ['a list -> file', listOf(io('file')), to('file'), 'a list of file cannot fill a file input: a list fills only a json, string or longstring input'],
    ['a list -> password', listOf(io('string')), to('password'), 'a list of string cannot fill a password input: a list fills only a json, string or longstring input'],
  ] as const)('refuses %s', (_case, from, target, reason) => {
    expect(assignable(from, target)).toEqual({ ok: false, reason });
  });

  it('agrees with itself on every pair of io types (a reflexive, documented table)', () => {
    const filled = (from: IoType) => IO_TYPES.filter((t) => assignable(io(from), to(t)).ok).join(' ');
    expect(Object.fromEntries(IO_TYPES.map((t) => [t, filled(t)]))).toEqual({
      string: 'string longstring password json',
      longstring: 'string longstring password json',
      password: 'string longstring password json',
      integer: 'string longstring integer float json',
      float: 'string longstring float json',
      boolean: 'string longstring boolean json',
      enum: 'string longstring enum json',
      json: 'string longstring json',
      file: 'file',
      directory: 'directory',
    });
  });
});

describe('staticFits: a value written in the workflow', () => {
  it.each<[string, JsonValue, Target]>([
    ['integer', 3, to('integer')],
    ['integer written as 3.0', 3.0, to('integer')],
    ['negative integer', -7, to('integer')],
    ['float', 1.5, to('float')],
    ['float from a whole number', 2, to('float')],
    ['boolean', false, to('boolean')],
    ['string', 'x', to('string')],
    ['empty string', '', to('longstring')],
    ['password', 's3cret', to('password')],
    ['enum value', 'b', to('enum', ['a', 'b'])],
    ['json object', { a: [1] }, to('json')],
    ['json number', 1, to('json')],
    ['file', { file: 'f-123' }, to('file')],
    ['directory', { file: 'd-1' }, to('directory')],
    ['null (no value) for anything', null, to('integer')],
    ['null for a file', null, to('file')],
  ])('%s fits', (_case, value, target) => {
    expect(staticFits(value, target)).toEqual({ ok: true });
  });

  it.each<[string, JsonValue, Target, string]>([
    ['1.5 -> integer', 1.5, to('integer'), 'an integer input needs a whole number, not the number 1.5'],
    ['"3" -> integer', '3', to('integer'), 'an integer input needs a whole number, not the string "3"'],
    ['"1.5" -> float', '1.5', to('float'), 'a float input needs a number, not the string "1.5"'],
    ['"true" -> boolean', 'true', to('boolean'), 'a boolean input needs true or false, not the string "true"'],
    ['0 -> boolean', 0, to('boolean'), 'a boolean input needs true or false, not the number 0'],
    ['1 -> string', 1, to('string'), 'a string input needs a string, not the number 1'],
    ['a list -> longstring', ['a'], to('longstring'), 'a longstring input needs a string, not a list'],
    ['true -> password', true, to('password'), 'a password input needs a string, not true'],
    ['an unknown enum value', 'c', to('enum', ['a', 'b']), "'c' is not one of the enum's values (a, b)"],
    ['a number -> enum', 1, to('enum', ['1']), 'an enum input needs one of its values as a string, not the number 1'],
    ['a string -> file', 'f-123', to('file'), 'a file input takes an uploaded file as { "file": "<id of an uploaded file>" }, not the string "f-123"'],
    ['an empty id -> file', { file: '' }, to('file'), 'a file input takes an uploaded file as { "file": "<id of an uploaded file>" }, not an object'],
    ['another key -> directory', { path: '/tmp' }, to('directory'), 'a directory input takes an uploaded file as { "file": "<id of an uploaded file>" }, not an object'],
    ['an extra key -> file', { file: 'f', name: 'x' }, to('file'), 'a file input takes an uploaded file as { "file": "<id of an uploaded file>" }, not an object'],
    ['a list -> file', [{ file: 'f' }], to('file'), 'a file input takes an uploaded file as { "file": "<id of an uploaded file>" }, not a list'],
  ])('refuses %s', (_case, value, target, reason) => {
    expect(staticFits(value, target)).toEqual({ ok: false, reason });
  });

  it('shortens a long string in the reason', () => {
    const fit = staticFits('x'.repeat(100), to('integer'));
    expect(fit.ok ? '' : fit.reason).toBe(`an integer input needs a whole number, not the string "${'x'.repeat(40)}…"`);
  });
});

describe('typeOfLiteral and commonType', () => {
  it.each<[JsonValue, string]>([
    [null, 'null'],
    [true, 'boolean'],
    [1, 'integer'],
    [1.5, 'float'],
    ['x', 'string'],
    [{ a: 1 }, 'json'],
    [[], 'list of any value'],
    [[1, 2], 'list of integer'],
    [[1, 2.5], 'list of float'],
    [[1, null], 'list of integer'],
    [[1, 'a'], 'list of any value'],
    [[[1], [2.5]], 'list of list of float'],
  ])('%j is %s', (value, type) => {
    expect(describeType(typeOfLiteral(value))).toBe(type);
  });

  it.each([
    [io('integer'), io('integer'), 'integer'],
    [io('integer'), io('float'), 'float'],
    [NULL, io('boolean'), 'boolean'],
    [io('boolean'), NULL, 'boolean'],
    [io('string'), io('password'), 'string'],
    [io('enum', ['a']), io('string'), 'string'],
    [io('enum', ['a', 'b']), io('enum', ['b', 'c']), 'enum (a, b, c)'],
    [io('enum', ['a']), io('enum'), 'enum'],
    [listOf(io('integer')), listOf(io('float')), 'list of float'],
    [io('integer'), io('string'), 'any value'],
    [listOf(io('integer')), io('integer'), 'any value'],
    [ANY, io('integer'), 'any value'],
    [io('file'), io('directory'), 'any value'],
  ] as const)('%j and %j: %s', (a, b, common) => {
    expect(describeType(commonType(a, b))).toBe(common);
  });
});
