import { describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { readPyYamlSource } from './pyyaml-source.js';
import { readSource } from './yaml-source.js';

/** A node as plain data; scalars keep the value they were read as (a Date stays a Date). */
function plain(node: unknown): unknown {
  if (isMap(node)) return Object.fromEntries(node.items.map((pair) => [String(plain(pair.key)), plain(pair.value)]));
  if (isSeq(node)) return node.items.map(plain);
  return isScalar(node) ? node.value : node;
}

/** The document as plain data, or its problems as `line:column code`. */
function read(text: string): unknown {
  const source = readPyYamlSource(text, 'ryax_metadata.yaml');
  if (source.problems.length > 0) return source.problems.map((p) => `${p.line}:${p.column} ${p.code}`);
  return plain(source.root);
}

function problemsOf(text: string): string[] {
  return readPyYamlSource(text, 'ryax_metadata.yaml').problems.map((p) => `${p.line}:${p.column} ${p.code}: ${p.message}`);
}

// Every expected value below is what PyYAML 6.0 (python3-yaml) gives for `v: <scalar>` with yaml.safe_load.
describe('readPyYamlSource: plain scalars typed as PyYAML types them', () => {
  it.each([
    ['y', 'y'],
    ['Y', 'Y'],
    ['n', 'n'],
    ['N', 'N'],
    ['yes', true],
    ['Yes', true],
    ['YES', true],
    ['yEs', 'yEs'],
    ['no', false],
    ['on', true],
    ['ON', true],
    ['off', false],
    ['Off', false],
    ['true', true],
    ['tRue', 'tRue'],
    ['false', false],
    ['null', null],
    ['Null', null],
    ['NULL', null],
    ['nULL', 'nULL'],
    ['~', null],
    ['0', 0],
    ['-0', 0],
    ['+0', 0],
    ['00', 0],
    ['07', 7],
    ['08', '08'],
    ['0755', 493],
    ['0o17', '0o17'],
    ['0b101', 5],
    ['-0b101', -5],
    ['0b2', '0b2'],
    ['0x1F', 31],
    ['0X1F', '0X1F'],
    ['0x_1', 1],
    ['1_000', 1000],
    ['1,000', '1,000'],
    ['12', 12],
    ['+12', 12],
    ['-12', -12],
    ['1:30', 90],
    ['-1:30', -90],
    ['1:60', '1:60'],
    ['190:20:30', 685230],
    ['1:3', 63],
    ['0:30', '0:30'],
    ['1.', 1],
    ['1.5', 1.5],
    ['-1.5', -1.5],
    ['+1.5', 1.5],
    ['.5', 0.5],
    ['-.5', '-.5'],
    ['+.5', '+.5'],
    ['1e3', '1e3'],
    ['1E3', '1E3'],
    ['1e+3', '1e+3'],
    ['1.e+3', 1000],
    ['1.0e3', '1.0e3'],
    ['1.0e+3', 1000],
    ['1.0E-3', 0.001],
    ['.5e+3', 500],
    ['.5e3', '.5e3'],
    ['1_0.5', 10.5],
    ['1:30.5', 90.5],
    ['.inf', Infinity],
    ['-.inf', -Infinity],
    ['+.inf', Infinity],
    ['.Inf', Infinity],
    ['.INF', Infinity],
    ['.nan', NaN],
    ['.NaN', NaN],
    ['-.nan', '-.nan'],
    ['NaN', 'NaN'],
    ['inf', 'inf'],
    ['2001-12-14', new Date('2001-12-14T00:00:00.000Z')],
    ['2001-1-14', '2001-1-14'],
    ['2001-12-14t21:59:43.10-05:00', new Date('2001-12-15T02:59:43.100Z')],
    ['2001-12-14 21:59:43.10 -5', new Date('2001-12-15T02:59:43.100Z')],
    ['2001-12-14T21:59:43Z', new Date('2001-12-14T21:59:43.000Z')],
    ['2001-12-14 21:59:43', new Date('2001-12-14T21:59:43.000Z')],
    ['2002-12-14T21:59', '2002-12-14T21:59'],
    ['0.1.2', '0.1.2'],
    ['1.0.0', '1.0.0'],
    ['v1', 'v1'],
    ['3.11', 3.11],
    ['12abc', '12abc'],
  ])('%s', (scalar, expected) => {
    expect(read(`v: ${scalar}\n`)).toEqual({ v: expected });
  });

  it.each([['"yes"'], ["'12'"], ['"~"'], ['"2001-12-14"'], ['!!str 12']])('%s is a string', (scalar) => {
    expect(typeof (read(`v: ${scalar}\n`) as { v: unknown }).v).toBe('string');
  });

  it.each([
    ['!!int "12"', 12],
    ['!!float 1', 1],
    ['!!bool yes', true],
    ['!!null ""', null],
    ['!!timestamp 2001-12-14', new Date('2001-12-14T00:00:00.000Z')],
  ])('explicit tag %s builds %j, as PyYAML does', (scalar, expected) => {
    expect(read(`v: ${scalar}\n`)).toEqual({ v: expected });
  });

  it('types keys too (PyYAML reads an unquoted on as true, y as a string)', () => {
    const root = readPyYamlSource('on: 1\ny: 2\n', 'x').root;
    expect(isMap(root) && root.items.map((pair) => (pair.key as { value: unknown }).value)).toEqual([true, 'y']);
  });
});

describe('readPyYamlSource: what PyYAML accepts and the YAML spec does not', () => {
  it.each([
    ['a quoted value continued at the indentation of its key', 'a:\n  d: "one\n  two"\n', { a: { d: 'one two' } }],
    ['a quoted value continued at column 1', 'a:\n  d: "one\ntwo"\n', { a: { d: 'one two' } }],
    ['a quoted value continued less indented than its key', 'a:\n  d: "one\n two"\n', { a: { d: 'one two' } }],
    ["a single-quoted value with '' inside", "a:\n  d: 'it''s\n  two'\n", { a: { d: "it's two" } }],
    ['an item of a list continued at its keys', 'a:\n  - h: "one\n    two"\n    n: x\n', { a: [{ h: 'one two', n: 'x' }] }],
    ['an escaped line break', 'a:\n  d: "one \\\n  two"\n', { a: { d: 'one two' } }],
    ['a blank line inside (a line break)', 'a:\n  d: "one\n\n  two"\n', { a: { d: 'one\ntwo' } }],
    ['a tab starting the continuation', 'a:\n  d: "one\n\ttwo"\n', { a: { d: 'one two' } }],
    ['an escaped quote at the end of the first line', 'a:\n  d: "say \\"\n  hi\\""\n', { a: { d: 'say " hi"' } }],
    ['CRLF line ends', 'a:\r\n  d: "one\r\n  two"\r\n', { a: { d: 'one two' } }],
    ['several lines, each under-indented', 'a:\n  d: "one\n  two\n  three"\n', { a: { d: 'one two three' } }],
    ['a flow mapping continued at column 1', 'a: {b: 1,\nc: 2}\n', { a: { b: 1, c: 2 } }],
    ['a flow mapping continued at its key', 'a:\n  r: {b: 1,\n  c: [2,\n 3]}\n', { a: { r: { b: 1, c: [2, 3] } } }],
    ['a flow list continued at column 1', 'a: [x,\ny]\n', { a: ['x', 'y'] }],
    ['a key given twice (the last one wins)', 'a: 1\nb: 2\na: 3\n', { a: 3, b: 2 }],
    ['a list at the indentation of its key', 'a:\n- x\n- y\n', { a: ['x', 'y'] }],
  ])('%s', (_title, text, expected) => {
    expect(read(text)).toEqual(expected);
  });

  it('refuses the same continuation in a trellis.yaml (its reader stays strict)', () => {
    expect(readSource('a:\n  d: "one\n  two"\n', 'trellis.yaml').problems.map((p) => `${p.line}:${p.column} ${p.code}`)).toEqual(['2:10 yaml_syntax', '3:3 yaml_syntax']);
  });
});

describe('readPyYamlSource: what PyYAML refuses too, with the line and column of the file as written', () => {
  it.each([
    ['a plain value continued at its key', 'a:\n  d: one\n  two\n', ['3:3 yaml_syntax']],
    ['a quote never closed', 'a: "unterminated\nb: 2\n', ['3:1 yaml_syntax']],
    ['a quote never closed, under-indented lines after it', 'a:\n  d: "one\n  two\n', ['4:1 yaml_syntax']],
    ['a document marker inside a quoted value', 'a:\n  d: "one\n---\n  two"\n', ['2:10 yaml_syntax', '3:1 yaml_syntax']],
    ['tabs as indentation', 'a:\n\td: 1\n', ['2:1 yaml_syntax']],
    ['a quoted key on two lines', '"a\n b": 1\n', ['1:1 yaml_syntax']],
    ['a bad escape', 'a: "\\q"\n', ['1:5 yaml_syntax']],
    ['text after the closing quote', 'a: "x"y\n', ['1:7 yaml_syntax']],
    ['two documents', 'a: x\n---\nb: y\n', ['2:1 yaml_syntax']],
    ['an unknown tag', 'a:\n  b: !foo bar\n', ['2:6 yaml_syntax']],
    ['a Python tag', "a: !!python/name:os.system ''\n", ['1:4 yaml_syntax']],
    ['an explicit int that is not one', 'a: !!int abc\n', ['1:4 yaml_syntax']],
    ['a plain = as a value', 'a: =\n', ['1:4 yaml_syntax']],
    ['a plain << as a value', 'a: [<<]\n', ['1:5 yaml_syntax']],
    ['an error after a re-indented line keeps its column', 'a:\n  d: "one\n  two" x\n', ['3:8 yaml_syntax']],
  ])('%s', (_title, text, expected) => {
    expect(read(text)).toEqual(expected);
  });

  it('says which tag, and why', () => {
    expect(problemsOf('a: !foo bar\n')).toEqual([
      "1:4 yaml_syntax: YAML syntax error: unknown tag !foo: PyYAML's safe loader, which Ryax reads manifests with, cannot read it; remove the tag",
    ]);
    expect(problemsOf('a: =\n')).toEqual(['1:4 yaml_syntax: PyYAML, which Ryax reads manifests with, cannot read a plain = as a value; quote it: "="']);
  });

  it('points at nodes on re-indented lines where they are in the file', () => {
    const source = readPyYamlSource('spec:\n  resources: {cpu: 1,\n  memory: 4GB}\n', 'ryax_metadata.yaml');
    const spec = isMap(source.root) ? (source.root.items[0]?.value as Node) : null;
    const resources = isMap(spec) ? (spec.items[0]?.value as Node) : null;
    const memory = isMap(resources) ? (resources.items[1]?.value as Node) : null;
    expect(source.positionOf(memory)).toEqual({ line: 3, column: 11 });
  });
});

describe('readPyYamlSource: aliases and merge keys, resolved as PyYAML does', () => {
  it('resolves aliases and merges <<, own keys first, then the first mapping listed', () => {
    const text = [
      'base: &b {x: 1, y: 2}',
      'other: &o {y: 3, z: 4}',
      'm1: {<<: *b, y: 9}',
      'm2: {y: 9, <<: *b}',
      'm3: {<<: [*b, *o]}',
      'm4: {<<: [*o, *b], x: 0}',
      'm5: {<<: *b, <<: *o}',
      'm6: {"<<": 1}',
      's: &s [1, 2]',
      't: *s',
    ].join('\n');
    expect(read(text)).toEqual({
      base: { x: 1, y: 2 },
      other: { y: 3, z: 4 },
      m1: { x: 1, y: 9 },
      m2: { x: 1, y: 9 },
      m3: { x: 1, y: 2, z: 4 },
      m4: { x: 0, y: 3, z: 4 },
      m5: { x: 1, y: 3, z: 4 },
      m6: { '<<': 1 },
      s: [1, 2],
      t: [1, 2],
    });
  });

  it.each([
    ['a merge of a scalar', 'a: {<<: 1}\n', '1:9 not_a_mapping: a merge key (<<) takes a mapping or a list of mappings'],
    ['an alias inside what it names', 'a: &a\n  b: *a\n', '2:6 yaml_syntax: alias *a is inside the node it names; a manifest cannot be recursive'],
  ])('refuses %s', (_title, text, expected) => {
    expect(problemsOf(text)).toEqual([expected]);
  });
});
