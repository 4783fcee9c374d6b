import type { JsonValue } from '@trellis/kernel/io';
import { describe, expect, it } from 'vitest';
import { formatReference, valueAt, type Lookup, type Resolve } from './expression.js';
import { parseTemplate, render, staticTypeOfTemplate, templateReferences, type Template } from './template.js';
import { describeType, io, listOf, type ValueType } from './value-types.js';

function parsed(value: JsonValue): Template {
  const result = parseTemplate(value);
  if (!result.ok) throw new Error(`${JSON.stringify(value)}: ${JSON.stringify(result.errors)}`);
  return result.template;
}

/** A template as a short outline: the kind, then the expressions' sources or the holes' paths. */
function outline(template: Template): string {
  switch (template.kind) {
    case 'literal':
      return `literal ${JSON.stringify(template.value)}`;
    case 'expression':
      return `expression ${template.expression.source}`;
    case 'interpolation':
      return `interpolation ${template.parts.map((part) => (typeof part === 'string' ? JSON.stringify(part) : `{${part.source}}`)).join(' ')}`;
    case 'structure':
      return `structure ${template.holes.map((hole) => `${JSON.stringify(hole.path)}=${outline(hole.template)}`).join(', ')}`;
  }
}

describe('parseTemplate: the four kinds', () => {
  it.each<[string, JsonValue, string]>([
    ['plain text', 'hello', 'literal "hello"'],
    ['a number', 42, 'literal 42'],
    ['null', null, 'literal null'],
    ['a boolean', false, 'literal false'],
    ['closing braces alone', 'a }} b', 'literal "a }} b"'],
    ['a dollar and braces that do not open', '$ {{ x }} ${ y }', 'literal "$ {{ x }} ${ y }"'],
    ['a list of plain values', ['a', 1, { b: 'c' }], 'literal ["a",1,{"b":"c"}]'],
    ['the whole string', '${{ steps.a.n }}', 'expression steps.a.n'],
    ['no spaces inside', '${{steps.a.n}}', 'expression steps.a.n'],
    ['spaces around', '  ${{ steps.a.n }}\n', 'expression steps.a.n'],
    ['braces inside a quoted string', "${{ '}}' == trigger.x }}", "expression '}}' == trigger.x"],
    ['text around', 'Hello ${{ trigger.name }}!', 'interpolation "Hello " {trigger.name} "!"'],
    ['two expressions', '${{ trigger.a }}${{ trigger.b }}', 'interpolation {trigger.a} {trigger.b}'],
    ['two expressions with a space', '${{ trigger.a }} ${{ trigger.b }}', 'interpolation {trigger.a} " " {trigger.b}'],
    ['text then an expression', 'n=${{ steps.a.n }}', 'interpolation "n=" {steps.a.n}'],
    ['an object', { url: 'https://${{ vars.host }}/x', retries: 3 }, 'structure ["url"]=interpolation "https://" {vars.host} "/x"'],
    [
      'nested lists and objects',
      { list: ['${{ steps.a.n }}', 'x', { deep: ['${{ item }}'] }] },
      'structure ["list",0]=expression steps.a.n, ["list",2,"deep",0]=expression item',
    ],
    ['a list', ['${{ trigger.a }}', 2], 'structure [0]=expression trigger.a'],
  ])('%s', (_case, value, expected) => {
    expect(outline(parsed(value))).toBe(expected);
  });
});

describe('parseTemplate: errors', () => {
  it.each<[string, JsonValue, unknown]>([
    ['an unclosed ${{', 'ab ${{ trigger.x', [{ path: [], index: 3, message: '"${{" is not closed: end the expression with "}}"' }]],
    ['a quote that swallows the end', "${{ 'x }}", [{ path: [], index: 0, message: '"${{" is not closed: end the expression with "}}"' }]],
    ['an empty ${{ }}', 'x ${{  }}', [{ path: [], index: 2, message: '"${{ }}" holds no expression' }]],
    ['a bad expression, at its place in the string', 'Hi ${{ trigger.a + 1 }}', [{ path: [], index: 17, message: 'arithmetic ("+") is not part of the expression language' }]],
    [
      'every error, not just the first',
      'a ${{ foo }} b ${{ trigger.x === 1 }} c ${{ ok',
      [
        { path: [], index: 6, message: 'unknown name "foo": a reference starts with trigger, steps, item, vars, secrets, failure' },
        { path: [], index: 29, message: '"===" is not an operator here: write == (equality is always strict)' },
        { path: [], index: 40, message: '"${{" is not closed: end the expression with "}}"' },
      ],
    ],
    [
      'errors in a structure, with their paths',
      { a: '${{ steps.x }}', b: ['ok', '${{ trigger.y(1) }}'], c: '${{ trigger.z }}' },
      [
        { path: ['a'], index: 4, message: 'a step reference names the step and one of its outputs, like steps.fetch.status' },
        { path: ['b', 1], index: 13, message: 'calls are not part of the expression language' },
      ],
    ],
  ])('%s', (_case, value, errors) => {
    expect(parseTemplate(value)).toEqual({ ok: false, errors });
  });
});

describe('templateReferences', () => {
  it('finds every reference, with positions in its own string', () => {
    const template = parsed({ greeting: 'Hi ${{ trigger.name }}, ${{ steps.a.n }}', list: ['${{ item.id }}'] });
    expect(templateReferences(template)).toEqual([
      { root: 'trigger', path: ['name'], start: 7, end: 19 },
      { root: 'steps', path: ['a', 'n'], start: 28, end: 37 },
      { root: 'item', path: ['id'], start: 4, end: 11 },
    ]);
    expect(templateReferences(parsed('  ${{ vars.x }}'))).toEqual([{ root: 'vars', path: ['x'], start: 6, end: 12 }]);
    expect(templateReferences(parsed({ a: 'plain' }))).toEqual([]);
  });
});

describe('render', () => {
  const world: Record<string, JsonValue> = {
    trigger: { name: 'Ada', n: 3, f: 0.5, yes: true, nothing: null, list: [1, 'a'], body: { k: 'v' } },
    steps: { a: { n: 7 } },
    vars: { host: 'example.org' },
  };
  const resolve: Resolve = (reference) => valueAt(world[reference.root] ?? null, reference.path);

  it.each<[string, JsonValue, JsonValue]>([
    ['a literal stays as it is', { a: ['x', 1] }, { a: ['x', 1] }],
    ['an expression keeps its type (a number)', '${{ steps.a.n }}', 7],
    ['an expression keeps its type (a list)', ' ${{ trigger.list }} ', [1, 'a']],
    ['an expression keeps its type (null)', '${{ trigger.nothing }}', null],
    ['an expression keeps its type (a boolean)', '${{ trigger.n > 2 }}', true],
    ['text with a string', 'Hello ${{ trigger.name }}!', 'Hello Ada!'],
    ['text with numbers and booleans as JSON', '${{ trigger.n }}/${{ trigger.f }}/${{ trigger.yes }}', '3/0.5/true'],
    ['text with null as nothing', '[${{ trigger.nothing }}]', '[]'],
    ['text with a list and an object as JSON', '${{ trigger.list }} ${{ trigger.body }}', '[1,"a"] {"k":"v"}'],
    [
      'a structure, filled in place',
      { url: 'https://${{ vars.host }}/x', count: '${{ steps.a.n }}', keep: [1, { name: '${{ trigger.name }}' }] },
      { url: 'https://example.org/x', count: 7, keep: [1, { name: 'Ada' }] },
    ],
  ])('%s', (_case, value, expected) => {
    expect(render(parsed(value), resolve)).toEqual({ ok: true, value: expected });
  });

  it('keeps a "__proto__" key a key', () => {
    const value = JSON.parse('{"__proto__": "${{ steps.a.n }}"}') as JsonValue;
    const result = render(parsed(value), resolve);
    expect(result.ok && Object.keys(result.value as object)).toEqual(['__proto__']);
    expect(result.ok && (result.value as Record<string, unknown>)['__proto__']).toBe(7);
  });

  it.each<[string, JsonValue, string, string]>([
    ['an expression', '${{ trigger.missing }}', 'reference_missing', 'trigger.missing is missing'],
    ['text', 'x ${{ steps.b.n }}', 'reference_missing', 'steps.b.n is missing'],
    ['a structure', { a: ['${{ trigger.n and true }}'] }, 'type_error', '"and" needs true or false, not a number'],
  ])('fails as the expression fails in %s', (_case, value, code, message) => {
    expect(render(parsed(value), resolve)).toEqual({ ok: false, code, message });
  });
});

describe('staticTypeOfTemplate', () => {
  const types: Record<string, ValueType> = {
    'steps.a.n': io('integer'),
    'steps.a.ratio': io('float'),
    'steps.up.file': io('file'),
    'trigger.name': io('string'),
  };
  const lookup: Lookup = (reference) => types[formatReference(reference)];
  const typed = (value: JsonValue) => {
    const { type, problems } = staticTypeOfTemplate(parsed(value), lookup);
    return { type: describeType(type), problems };
  };

  it.each<[string, JsonValue, string]>([
    ['a literal number', 42, 'integer'],
    ['a literal string', 'x', 'string'],
    ['a literal object', { a: 1 }, 'json'],
    ['an expression', '${{ steps.a.n }}', 'integer'],
    ['an expression on an unknown reference', '${{ steps.b.n }}', 'any value'],
    ['an interpolation', 'n = ${{ steps.a.n }}', 'string'],
    ['a list with holes', ['${{ steps.a.n }}', 2], 'list of integer'],
    ['a list of numbers with holes', ['${{ steps.a.ratio }}', 2], 'list of float'],
    ['an object with holes', { n: '${{ steps.a.n }}' }, 'json'],
  ])('%s: %s', (_case, value, type) => {
    expect(typed(value)).toEqual({ type, problems: [] });
  });

  it('reports problems with their place: the path, and the index in that string', () => {
    expect(typed({ when: ['x', "  ${{ steps.a.n == 'x' }}"] })).toEqual({
      type: 'json',
      problems: [{ path: ['when', 1], index: 6, message: 'integer and string are never equal: "==" compares values of one kind' }],
    });
  });

  it('refuses to write a file into text', () => {
    expect(typed('path: ${{ steps.up.file }}')).toEqual({
      type: 'string',
      problems: [{ path: [], index: 10, message: 'file cannot be written into text' }],
    });
    expect(typed('${{ steps.up.file }}')).toEqual({ type: 'file', problems: [] });
  });

  it('types a structure list by its items, literal or not', () => {
    expect(typed(['${{ trigger.name }}', '${{ steps.a.n }}']).type).toBe(describeType(listOf({ kind: 'any' })));
  });
});
