import fc from 'fast-check';

/**
 * What a careless or hostile client puts where a value belongs: strings no form would send,
 * values of the wrong type, sizes no schema allows, nesting no parser expects.
 */

/** Strings that break naive code: control characters, odd unicode, injections, traversal. */
export const HOSTILE_STRINGS: readonly string[] = [
  '', ' ', '\u0000', 'a\u0000b', '\t\r\n', '\u001b[31mred', '\u007f', '\u0085', '\u2028\u2029', '\ufeffbom', '\uffff', '\ud800', '\udfff',
  '\u202eevil', 'Ω≈ç√', '𝕿𝖗𝖊𝖑𝖑𝖎𝖘', '👩‍👩‍👧‍👦', 'ﷺ', 'e\u0301\u0301\u0301\u0301', '🏳️‍🌈'.repeat(50),
  '../../../../etc/passwd', '..\\..\\windows', '%2e%2e%2f', '/', '//', '.', '..', '~', '$HOME', '`id`', '$(id)', '; rm -rf /',
  "' or 1=1--", '"; drop table runs; --', '\\', '\\u0000', '{{7*7}}', '${{ secrets.FUZZ_SECRET }}', '${{ steps }}', '<script>alert(1)</script>',
  '__proto__', 'constructor', 'prototype', 'toString', 'null', 'undefined', 'NaN', 'true', '-0', '1e309', '0x10', '007',
  'http://169.254.169.254/latest/meta-data/', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/plain,x',
  'trk_00000000_notakey', 'Bearer x', 'a'.repeat(256), 'b'.repeat(4097),
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 64 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\u0000', '\u0001', '\u001f', '\u007f', '\ud800', '\u200b', '\u202e', '\n'), maxLength: 32 }) },
);

/** A value of some JSON type, often not the one expected. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, [], {}, '', [null], { '': null }),
  hostileString,
  fc.jsonValue({ maxDepth: 3 }),
);

/** `[[[...]]]` or `{"a":{"a":...}}` `depth` levels deep, as JSON text (JSON.stringify would recurse too). */
export function nestedText(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** JSON text no parser should accept. */
export const BROKEN_JSON: readonly string[] = [
  '', '{', '}', '{"a":', '{"a":1,}', "{'a':1}", '{"a":1}{"b":2}', '[1,2', 'nul', 'tru', 'NaN', 'Infinity', '{"a":undefined}', '\u0000',
  '{"a":"\u0000\u0001"}', '{"a":"\\ud800"}', '{"a":"\\u00"}', '{"a":1e999999}', '{"a":-}', '"unterminated', '\ufeff{}', '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}', '{"a":1,"a":2}', '0', '-', '""', 'true', '[]', '{"a":01}', '{\n"a"\n:\n1\n}\n\n\n',
];

/** Content types a JSON route does not take, or takes with odd parameters. */
export const CONTENT_TYPES: readonly string[] = [
  'text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=x',
  'application/octet-stream', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/json;;;',
  'application/problem+json', 'application/vnd.api+json', 'application/yaml', 'text/yaml', 'image/png', '*/*', 'json', ';', '',
  'application/json; boundary=--', `application/${'x'.repeat(300)}`, 'text/html; charset=utf-8',
];

/** YAML that tries the importer: anchors multiplied (a "billion laughs"), tags, deep flow nesting, odd scalars. */
export const HOSTILE_YAML: readonly string[] = [
  ['a: &a ["x","x","x","x","x","x","x","x","x"]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]', 'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]', 'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]', 'name: [*g,*g,*g,*g,*g,*g,*g,*g,*g]'].join('\n'),
  'name: !!js/function "function () { return 1 }"', 'name: !!python/object/apply:os.system ["id"]', '!!binary name: x', 'name: *undefined_alias',
  `name: ${'['.repeat(5000)}${']'.repeat(5000)}`, `name: x\nsteps: ${'{a: '.repeat(2000)}1${'}'.repeat(2000)}`, '---\n---\n---\n', '%YAML 9.9\n---\nname: x',
  'name: x\nname: y', '? [a, b]\n: c', 'name: "\\x00\\x07"', '\t- tab', 'apiVersion: trellis.dev/v1\nkind: Workflow\nname: ../../etc',
  'name: 0o777', 'name: .inf', 'name: ~', '<<: *x', `name: '${'x'.repeat(70_000)}'`, 'apiVersion: trellis.dev/v1\nkind: Workflow\nname: zz\nsteps: 7',
];
