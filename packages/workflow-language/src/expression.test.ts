import type { JsonValue } from '@trellis/kernel/io';
import { describe, expect, it } from 'vitest';
import {
  deepEqual,
  evaluate,
  formatReference,
  parseExpression,
  referencesOf,
  staticTypeOf,
  valueAt,
  type Expression,
  type Lookup,
  type Node,
  type Resolve,
} from './expression.js';
import { describeType, io, listOf, type ValueType } from './value-types.js';

/** A tree as a short S-expression, so the tables stay readable. */
function show(node: Node): string {
  switch (node.type) {
    case 'literal':
      return JSON.stringify(node.value);
    case 'reference':
      return formatReference(node.reference);
    case 'not':
      return `(not ${show(node.argument)})`;
    case 'logical':
    case 'compare':
      return `(${node.operator} ${show(node.left)} ${show(node.right)})`;
    case 'in':
      return `(in ${show(node.needle)} ${show(node.haystack)})`;
    case 'conditional':
      return `(? ${show(node.test)} ${show(node.consequent)} ${show(node.alternate)})`;
    case 'list':
      return `[${node.elements.map(show).join(' ')}]`;
  }
}

function parsed(source: string): Expression {
  const result = parseExpression(source);
  if (!result.ok) throw new Error(`${source}: ${result.error.message} at ${result.error.index}`);
  return result.expression;
}

describe('grammar: accepted', () => {
  it.each([
    // literals
    ['1', '1'],
    ['-1', '-1'],
    ['- 2.5', '-2.5'],
    ['1.5e3', '1500'],
    ['0.5', '0.5'],
    ["'single'", '"single"'],
    ['"double"', '"double"'],
    ["'it\\'s'", '"it\'s"'],
    ['true', 'true'],
    ['false', 'false'],
    ['null', 'null'],
    ['[1, -2, "x"]', '[1 -2 "x"]'],
    ['[]', '[]'],
    ['[[1], []]', '[[1] []]'],
    // references
    ['trigger.body', 'trigger.body'],
    ['item', 'item'],
    ['failure', 'failure'],
    ['failure.message', 'failure.message'],
    ['vars.region', 'vars.region'],
    ['secrets.token', 'secrets.token'],
    ["trigger['a b']", "trigger['a b']"],
    ['trigger["x"].y', 'trigger.x.y'],
    ['steps.fetch.items[0]', 'steps.fetch.items[0]'],
    ['steps.fetch.items[ 12 ].name', 'steps.fetch.items[12].name'],
    ['steps.undo-s2.n', 'steps.undo-s2.n'],
    ["steps['undo-s2'].n", 'steps.undo-s2.n'],
    ['steps.a_1.out-put', 'steps.a_1.out-put'],
    // operators
    ['steps.undo-s2.n == -1', '(== steps.undo-s2.n -1)'],
    ['trigger.a != 1', '(!= trigger.a 1)'],
    ['trigger.a < 1', '(< trigger.a 1)'],
    ['trigger.a <= 1', '(<= trigger.a 1)'],
    ['trigger.a > -1', '(> trigger.a -1)'],
    ['trigger.a >= 1', '(>= trigger.a 1)'],
    ['trigger.a and trigger.b', '(and trigger.a trigger.b)'],
    ['trigger.a && trigger.b', '(and trigger.a trigger.b)'],
    ['trigger.a or trigger.b', '(or trigger.a trigger.b)'],
    ['trigger.a || trigger.b', '(or trigger.a trigger.b)'],
    ['not trigger.a', '(not trigger.a)'],
    ['!trigger.a', '(not trigger.a)'],
    ['not(trigger.a)', '(not trigger.a)'],
    ['trigger.x in [1, 2]', '(in trigger.x [1 2])'],
    ["'ab' in trigger.s", '(in "ab" trigger.s)'],
    ['trigger.a ? 1 : 2', '(? trigger.a 1 2)'],
    // precedence and grouping
    ['trigger.a or trigger.b and trigger.c', '(or trigger.a (and trigger.b trigger.c))'],
    ['(trigger.a or trigger.b) and trigger.c', '(and (or trigger.a trigger.b) trigger.c)'],
    ['trigger.a == 1 and trigger.b != 2', '(and (== trigger.a 1) (!= trigger.b 2))'],
    ['not trigger.a == true', '(== (not trigger.a) true)'],
    ['not (trigger.x in trigger.list)', '(not (in trigger.x trigger.list))'],
    ['trigger.a ? 1 : trigger.b ? 2 : 3', '(? trigger.a 1 (? trigger.b 2 3))'],
    ['trigger.a and trigger.b ? [1] : []', '(? (and trigger.a trigger.b) [1] [])'],
    ['  trigger.a  ', 'trigger.a'],
    ['((1))', '1'],
  ])('%s', (source, tree) => {
    expect(show(parsed(source).root)).toBe(tree);
  });

  it('keeps a dash inside a name and a minus before a number apart', () => {
    const names = parsed('steps.undo-s2.n-1 == -1').root;
    expect(names.type === 'compare' && names.left.type === 'reference' ? names.left.reference.path : undefined).toEqual(['undo-s2', 'n-1']);
    expect(names.type === 'compare' ? names.right : undefined).toMatchObject({ type: 'literal', value: -1 });
  });

  it('gives references their positions in the source', () => {
    const root = parsed("  steps.a.b == trigger['x y'][0]").root;
    expect(referencesOf(root)).toEqual([
      { root: 'steps', path: ['a', 'b'], start: 2, end: 11 },
      { root: 'trigger', path: ['x y', 0], start: 15, end: 32 },
    ]);
    expect(root).toMatchObject({ start: 2, end: 32 });
  });

  it('lists every reference in source order', () => {
    const root = parsed('trigger.a ? [steps.b.c, item] : not failure.x in vars.list').root;
    expect(referencesOf(root).map(formatReference)).toEqual(['trigger.a', 'steps.b.c', 'item', 'failure.x', 'vars.list']);
  });
});

describe('grammar: refused, with where', () => {
  it.each([
    ['a + 1', 0, 'unknown name "a": a reference starts with trigger, steps, item, vars, secrets, failure'],
    ['trigger.a + 1', 10, 'arithmetic ("+") is not part of the expression language'],
    ['1 - 1', 2, 'arithmetic ("-") is not part of the expression language'],
    ['trigger.n -1', 10, 'arithmetic ("-") is not part of the expression language'],
    ['trigger.a * 2', 10, 'arithmetic ("*") is not part of the expression language'],
    ['(trigger.a) % 2', 12, 'arithmetic ("%") is not part of the expression language'],
    ['-trigger.a', 0, 'arithmetic ("-") is not part of the expression language'],
    ['+1', 0, 'arithmetic ("+") is not part of the expression language'],
    ['~1', 0, '"~" is not part of the expression language'],
    ['trigger.a | 1', 10, '"|" is not part of the expression language'],
    ['trigger.a ?? 1', 10, '"??" is not part of the expression language: write a ? b : c'],
    ['trigger.a === 1', 10, '"===" is not an operator here: write == (equality is always strict)'],
    ['trigger.a !== 1', 10, '"!==" is not an operator here: write != (equality is always strict)'],
    ['trigger.a = 1', 10, '"=" is not part of the expression language: compare with =='],
    ['trigger.fn(1)', 10, 'calls are not part of the expression language'],
    ['(trigger.a)(1)', 0, 'calls are not part of the expression language'],
    ['foo(1)', 0, 'unknown name "foo"'],
    ['this', 0, '"this" is not part of the expression language'],
    ['trigger.a == this', 13, '"this" is not part of the expression language'],
    ['trigger.a, 1', 9, '",": write one expression (a list is written [a, b])'],
    ['trigger.a; 1', 9, '";": write one expression (a list is written [a, b])'],
    ['trigger.a;', 9, 'unexpected ";": write one expression'],
    ['(1, 2)', 2, '",": write one expression (a list is written [a, b])'],
    ['1 2', 2, 'two expressions with no operator between them'],
    ['', 0, 'the expression is empty'],
    ['   ', 0, 'the expression is empty'],
    ['steps.a', 0, 'a step reference names the step and one of its outputs, like steps.fetch.status'],
    ["steps['a']", 0, 'a step reference names the step and one of its outputs'],
    ['trigger.a.0', 10, 'after "." comes a name: write a list item as [0]'],
    ['trigger.', 8, 'a name must follow "."'],
    ['trigger[trigger.i]', 8, "inside [ ] write a quoted name or a whole number, like ['a b'] or [0]"],
    ['trigger[-1]', 8, 'inside [ ] write a quoted name or a whole number'],
    ['trigger[0', 9, '"]" expected'],
    ['trigger?.a', 7, '"?." is not part of the expression language'],
    ["'abc'.length", 0, 'members can be read only from a reference (trigger, steps, item, vars, secrets, failure)'],
    ['[1][0]', 0, 'members can be read only from a reference'],
    ['[1,,2]', 0, 'a list has an empty item (two commas in a row)'],
    ['{ a: 1 }', 0, 'objects are not part of the expression language'],
    ['trigger.a and', 10, '"and" needs an expression on each side'],
    ['or trigger.a', 0, '"or" needs an expression on each side'],
    ['trigger.a and not', 14, '"not" needs an expression after it'],
    ['trigger.a ==', 12, 'Expected expression after =='],
    ['(trigger.a', 10, 'Unclosed ('],
    ["'abc", 4, 'Unclosed quote after "abc"'],
    ['trigger.a ? 1', 13, 'Expected :'],
    ['1abc', 1, 'Variable names cannot start with a number (1a)'],
    ['Trigger.a', 0, 'unknown name "Trigger"'],
    ['$x', 0, 'unknown name "$x"'],
    ['trigger.a == x-1', 13, 'unknown name "x-1"'],
  ])('%s: at %i, %s', (source, index, message) => {
    const result = parseExpression(source);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.index).toBe(index);
    expect(result.error.message).toContain(message);
  });
});

describe('evaluate', () => {
  const world: Record<string, JsonValue> = {
    trigger: { n: 3, f: 1.5, s: 'hello world', yes: true, no: false, nothing: null, list: [1, 'two', [3], { four: 4 }], body: { a: { b: [10, 20] }, 'x y': 'spaced' } },
    steps: { 'undo-s2': { n: -1 }, fetch: { status: 200, tags: ['a', 'b'] } },
    item: { id: 'i-1' },
    vars: { region: 'eu' },
    secrets: { token: 't0k' },
    failure: { message: 'boom', step: 's2' },
  };
  const resolve: Resolve = (reference) => valueAt(world[reference.root] ?? null, reference.path);
  const run = (source: string) => evaluate(parsed(source), resolve);

  it.each([
    // literals and references
    ['-1', -1],
    ['[1, "a", null]', [1, 'a', null]],
    ['trigger.n', 3],
    ['steps.undo-s2.n', -1],
    ['trigger.body.a.b[1]', 20],
    ["trigger.body['x y']", 'spaced'],
    ['trigger.list[3].four', 4],
    ['trigger.nothing', null],
    ['item', { id: 'i-1' }],
    ['[trigger.n, vars.region]', [3, 'eu']],
    // == and != are deep
    ['trigger.n == 3', true],
    ['trigger.n == 3.0', true],
    ["trigger.n == '3'", false],
    ['trigger.nothing == null', true],
    ['trigger.n == null', false],
    ['trigger.body.a.b == [10, 20]', true],
    ['trigger.body.a.b == [20, 10]', false],
    ['trigger.list[2] != [3]', false],
    ['steps.fetch.tags != ["a"]', true],
    // ordering: two numbers or two strings
    ['trigger.n < 4', true],
    ['trigger.n <= 3', true],
    ['trigger.f > 1', true],
    ['trigger.n >= 3.5', false],
    ["'apple' < 'banana'", true],
    ["'Z' < 'a'", true],
    ["'b' >= 'b'", true],
    // booleans only, short-circuit
    ['trigger.yes and trigger.no', false],
    ['trigger.yes && trigger.yes', true],
    ['trigger.no or trigger.yes', true],
    ['trigger.no || trigger.no', false],
    ['not trigger.no', true],
    ['!trigger.yes', false],
    ['trigger.no and trigger.missing', false],
    ['trigger.yes or trigger.n', true],
    ['trigger.no and 1', false],
    // in: lists (deep) and strings (substring)
    ['2 in [1, 2]', true],
    ["'two' in trigger.list", true],
    ['[3] in trigger.list', true],
    ['3 in trigger.list', false],
    ["'world' in trigger.s", true],
    ["'World' in trigger.s", false],
    ["'' in trigger.s", true],
    // ?: evaluates only the branch it takes
    ['trigger.yes ? trigger.n : trigger.missing', 3],
    ['trigger.no ? trigger.missing : "b"', 'b'],
    ['failure.step == "s2" ? failure.message : null', 'boom'],
  ] as const)('%s -> %j', (source, value) => {
    expect(run(source)).toEqual({ ok: true, value });
  });

  it('compares objects whatever the order of their keys', () => {
    expect(deepEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(deepEqual({ a: null }, { b: null })).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
  });

  it.each([
    ['trigger.missing', 'trigger.missing is missing'],
    ['steps.nope.x == 1', 'steps.nope.x is missing'],
    ['trigger.list[9]', 'trigger.list[9] is missing'],
    ['trigger.body.a.b.c', 'trigger.body.a.b.c is missing'],
    ["trigger.body['no such']", "trigger.body['no such'] is missing"],
    ['trigger.yes and trigger.missing', 'trigger.missing is missing'],
    ['[1, trigger.missing]', 'trigger.missing is missing'],
    ['trigger.missing in [1]', 'trigger.missing is missing'],
  ])('%s: reference_missing', (source, message) => {
    expect(run(source)).toEqual({ ok: false, code: 'reference_missing', message });
  });

  it.each([
    ["trigger.n < '4'", '"<" orders two numbers or two strings, not a number and a string'],
    ['trigger.list > 1', '">" orders two numbers or two strings, not a list and a number'],
    ['null <= 1', '"<=" orders two numbers or two strings, not null and a number'],
    ['trigger.yes >= false', '">=" orders two numbers or two strings, not true and false'],
    ['trigger.n and trigger.yes', '"and" needs true or false, not a number'],
    ['trigger.yes and trigger.s', '"and" needs true or false, not a string'],
    ['trigger.nothing or trigger.yes', '"or" needs true or false, not null'],
    ['not trigger.list', '"not" needs true or false, not a list'],
    ['not 0', '"not" needs true or false, not a number'],
    ["trigger.s ? 1 : 2", 'the test of "?:" needs true or false, not a string'],
    ['1 in trigger.n', '"in" looks in a list or a string, not in a number'],
    ['1 in trigger.body', '"in" looks in a list or a string, not in an object'],
    ['1 in trigger.s', '"in" looks for a string in a string, not for a number'],
  ])('%s: type_error', (source, message) => {
    expect(run(source)).toEqual({ ok: false, code: 'type_error', message });
  });

  it('never writes a string value into a type error (it may be a secret)', () => {
    const result = run('secrets.token and true');
    expect(result.ok ? '' : result.message).not.toContain('t0k');
  });

  it('reads members of JSON values by name and by index only', () => {
    expect(valueAt({ a: [1, { b: 2 }] }, ['a', 1, 'b'])).toEqual({ found: true, value: 2 });
    expect(valueAt([1, 2], ['0'])).toEqual({ found: false });
    expect(valueAt({ 0: 'x' }, [0])).toEqual({ found: false });
    expect(valueAt([1], [-1])).toEqual({ found: false });
    expect(valueAt({}, ['toString'])).toEqual({ found: false });
    expect(valueAt('abc', ['length'])).toEqual({ found: false });
    expect(valueAt({ a: null }, ['a'])).toEqual({ found: true, value: null });
  });

  it('writes references back as they may be written', () => {
    expect(formatReference({ root: 'steps', path: ['undo-s2', 'n', 0, 'a b', "it's"] })).toBe("steps.undo-s2.n[0]['a b']['it\\'s']");
    expect(show(parsed(formatReference({ root: 'trigger', path: ["it's", 'x\\y'] })).root)).toBe("trigger['it\\'s']['x\\\\y']");
  });
});

describe('staticTypeOf', () => {
  const types: Record<string, ValueType> = {
    'steps.count.n': io('integer'),
    'steps.count.ratio': io('float'),
    'trigger.name': io('string'),
    'secrets.token': io('password'),
    'trigger.flag': io('boolean'),
    'trigger.tags': listOf(io('string')),
    'trigger.body': io('json'),
    'steps.upload.file': io('file'),
    'vars.mode': io('enum', ['fast', 'slow']),
    'vars.other': io('enum', ['slow', 'safe']),
    'trigger.nothing': { kind: 'null' },
  };
  const lookup: Lookup = (reference) => types[formatReference(reference)];
  const typed = (source: string) => {
    const { type, problems } = staticTypeOf(parsed(source).root, lookup);
    return { type: describeType(type), problems };
  };

  it.each([
    ['1', 'integer'],
    ['1.5', 'float'],
    ['-1', 'integer'],
    ["'x'", 'string'],
    ['true', 'boolean'],
    ['null', 'null'],
    ['steps.count.n', 'integer'],
    ['vars.mode', 'enum (fast, slow)'],
    ['steps.unknown.x', 'any value'],
    ['trigger.body', 'json'],
    ['steps.count.n == 1', 'boolean'],
    ['steps.count.n > steps.count.ratio', 'boolean'],
    ['trigger.flag and true', 'boolean'],
    ['not trigger.flag', 'boolean'],
    ["'a' in trigger.tags", 'boolean'],
    ["'a' in trigger.name", 'boolean'],
    ['trigger.flag ? 1 : 2', 'integer'],
    ['trigger.flag ? 1 : 2.5', 'float'],
    ['trigger.flag ? steps.count.n : null', 'integer'],
    ["trigger.flag ? 1 : 'x'", 'any value'],
    ['trigger.flag ? vars.mode : vars.other', 'enum (fast, slow, safe)'],
    ['trigger.flag ? trigger.name : secrets.token', 'string'],
    ['[1, 2]', 'list of integer'],
    ['[1, steps.count.ratio]', 'list of float'],
    ['[]', 'list of any value'],
    ["[1, 'a']", 'list of any value'],
    ['[trigger.tags, []]', 'list of list of any value'],
    ['trigger.body == 1', 'boolean'],
    ['trigger.nothing == 1', 'boolean'],
    ['steps.unknown.x < 1', 'boolean'],
  ])('%s: %s, no problem', (source, type) => {
    expect(typed(source)).toEqual({ type, problems: [] });
  });

  it.each([
    ["steps.count.n == 'x'", 'integer and string are never equal: "==" compares values of one kind', 0],
    ['trigger.flag != 1', 'boolean and integer are never equal: "!=" compares values of one kind', 0],
    ['trigger.tags == "a"', 'list of string and string are never equal', 0],
    ['[1] == ["a"]', 'list of integer and list of string are never equal', 0],
    ["steps.count.n < 'x'", '"<" orders two numbers or two strings, not integer and string', 0],
    ['trigger.tags > 1', '">" orders two numbers or two strings, not list of string', 0],
    ['1 >= trigger.flag', '">=" orders two numbers or two strings, not boolean', 5],
    ['steps.upload.file < 1', '"<" orders two numbers or two strings, not file', 0],
    ['trigger.nothing < 1', '"<" orders two numbers or two strings, not null', 0],
    ['steps.count.n and trigger.flag', '"and" needs true or false, not integer', 0],
    ['trigger.flag or trigger.name', '"or" needs true or false, not string', 16],
    ['not trigger.tags', '"not" needs true or false, not list of string', 4],
    ['null and true', '"and" needs true or false, not null', 0],
    ['1 in steps.count.n', '"in" looks in a list or a string, not in integer', 5],
    ['1 in trigger.name', '"in" looks for a string in a string, not for integer', 0],
    ['1 in trigger.tags', 'list of string never holds integer', 0],
  ])('%s: %s (at %i)', (source, message, index) => {
    const { type, problems } = typed(source);
    expect(type).toBe('boolean');
    expect(problems).toEqual([{ message: expect.stringContaining(message), index }]);
  });

  it('checks the test of ?: and still types its branches', () => {
    expect(typed('vars.mode ? 1 : 2')).toEqual({ type: 'integer', problems: [{ message: 'the test of "?:" needs true or false, not enum (fast, slow)', index: 0 }] });
  });

  it('reports every problem, nested ones included, and types unknown references as any', () => {
    const { type, problems } = typed("(steps.count.n and 1) or (trigger.name < 2) ? 'a' : steps.nope.x");
    expect(type).toBe('any value');
    expect(problems.map((p) => p.index)).toEqual([1, 19, 26]);
  });

  it('asks the lookup about every reference and nothing else', () => {
    const asked: string[] = [];
    staticTypeOf(parsed('steps.a.b == trigger.c and vars.d in [item, 1]').root, (reference) => {
      asked.push(formatReference(reference));
      return undefined;
    });
    expect(asked).toEqual(['steps.a.b', 'trigger.c', 'vars.d', 'item']);
  });
});
