import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '@trellis/kernel/io';
import { canonicalDocument } from '@trellis/workflow-language/canonical';
import { shapeProblems } from '@trellis/workflow-language/document';
import { MAX_ALIASES, MAX_DEPTH, readWorkflowYaml, writeWorkflowYaml, type YamlIn } from './workflow-yaml.js';

type Json = { [key: string]: JsonValue };

/** A workflow using every field the format has; `trigger` varies. */
function aWorkflow(trigger: Json): Json {
  return {
    // Out of the canonical order on purpose: canonicalDocument puts it right.
    steps: [
      {
        id: 's1', title: 'First: add one', action: 'add-one',
        inputs: { n: '${{ trigger.n }}', label: 'id-${{ item }}', literal: 5, ratio: 0.25, flag: true, nothing: null },
        foreach: '${{ trigger.images }}', parallelism: 8, fail_fast: true,
      },
      {
        id: 's2', action: 'add-one@1.0.0', needs: ['s1'],
        inputs: { n: '${{ steps.s1.n }}', list: ['a', 1, { deep: ['${{ vars.WIDTH }}'] }], token: '${{ secrets.API_TOKEN }}' },
        when: '${{ steps.s1.n < 100 and not (trigger.mode == "dry") }}',
        retry: { attempts: 3, backoff: '1s', max_delay: '30s' }, timeout: '10s', on_failure: 'undo-s2',
      },
      { id: 'undo-s2', action: 'notify@2.1.0', inputs: { reason: '${{ failure.message }}', step: '${{ failure.step }}' } },
    ],
    apiVersion: 'trellis.dev/v1',
    kind: 'Workflow',
    name: 'add-ten',
    title: 'Add ten: the "classic"',
    description: 'Adds ten to a number,\none step at a time.\n\n  Indented line, trailing spaces   \nÉtoile ✓ 日本語 🚀\n',
    trigger,
    results: {
      n: '${{ steps.s2.n }}',
      looks_like: ['1.0', 'yes', 'no', 'on', 'off', 'null', '~', 'true', 'False', '0x1f', '0o17', '1e3', '.inf', '-.nan', '2024-01-01', '12:30', '1_000', ''],
      tricky: ['- dash', '# hash', 'a: b', 'a #b', ' lead', 'trail ', '*alias', '&anchor', '!tag', '%directive', '@at', '`tick', '{x}', '[x]', '"q"', "'q'", '>', '|', '?', '---', '...', 'tab\there', 'bell\u0007', 'nbsp\u00a0x', 'line\r\nbreak'],
      numbers: [0, -1, 1.5, 1e21, 123456789012, -0.001],
      empty_list: [],
      empty_map: {},
      unicode: 'naïve café — ünïcödé',
    },
    on_finish: { webhook: 'https://example.com/hook?x=1&y=2' },
  };
}

const triggers: Record<string, Json> = {
  http: { type: 'http', path: 'add-ten/v1', timeout: '30s', auth: 'required', inputs: [{ name: 'n', type: 'integer', help: 'A number', optional: false }, { name: 'mode', type: 'enum', values: ['dry', 'wet'], default: 'wet' }, { name: 'images', type: 'json', optional: true }] },
  manual: { type: 'manual', inputs: [{ name: 'n', type: 'integer', default: 0 }] },
  schedule: { type: 'schedule', cron: '*/5 * * * *', timezone: 'Europe/Paris', missed: 'catch_up', catch_up_limit: 3, inputs: { n: 1, images: ['a.png'], width: '${{ vars.WIDTH }}' } },
  action: { type: 'action', action: 'webhook-listener@1.0.0', inputs: { secret: '${{ secrets.HOOK_SECRET }}', port: 8080 } },
};

function valueOf(read: YamlIn): JsonValue {
  if (!read.ok) throw new Error(`not read: ${JSON.stringify(read.errors)}`);
  return read.value;
}

function errorsOf(text: string) {
  const read = readWorkflowYaml(text);
  if (read.ok) throw new Error(`read: ${JSON.stringify(read.value)}`);
  return read.errors;
}

/** A seeded generator of JSON values full of strings YAML could misread (no NUL: no workflow can hold one). */
function randomJson(seed: number): () => JsonValue {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const atoms = ['', ' ', '  ', '\t', '\r', '\u2028', '\ufeff', '\u0085', '\u00a0', '\u0001', 'a', 'yes', 'No', 'ON', 'null', 'Null', '~', '1', '1.0', '-1', '+1', '.5', '1e5', '0x10', '0o7', '0b1', '007', '1_0', '1:2', '2020-02-02', 'true', 'y', 'n', '<<', '=', '-', '- a', ': x', 'a:', '#', 'x #y', '${{ item }}', '${{ steps.a.b }}', 'id-${{ item }}', '\n', 'a\nb', 'a\n', '\na', ' a\nb ', 'é', '🚀', '\t', '"', "'", '\\', '[', '{', '}', ']', ',', '&a', '*a', '!', '|', '>', '%', '@', '`'];
  const string = (): string => Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(atoms)).join(pick(['', ' ', '\n']));
  const value = (depth: number): JsonValue => {
    const kind = Math.floor(next() * (depth > 3 ? 4 : 6));
    switch (kind) {
      case 0: return string();
      case 1: return pick([0, 1, -7, 2.5, 1e-7, 1e21, 42]);
      case 2: return pick([true, false, null]);
      case 3: return string();
      case 4: return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
      default: return Object.fromEntries(Array.from({ length: Math.floor(next() * 4) }, () => [string(), value(depth + 1)]));
    }
  };
  return () => value(0);
}

describe('writing and reading a workflow', () => {
  it.each(Object.keys(triggers))('round-trips a workflow with a %s trigger byte for byte', (type) => {
    const document = canonicalDocument(aWorkflow(triggers[type] as Json));
    const text = writeWorkflowYaml(document);
    const read = valueOf(readWorkflowYaml(text));
    expect(read).toEqual(document);
    expect(writeWorkflowYaml(read)).toBe(text);
    expect(Object.keys(read as Json)).toEqual(['apiVersion', 'kind', 'name', 'title', 'description', 'trigger', 'steps', 'results', 'on_finish']);
    expect(text.endsWith('\n') && !text.endsWith('\n\n')).toBe(true);
    expect(text.startsWith('apiVersion: trellis.dev/v1\n')).toBe(true);
  });

  it('round-trips any JSON value under a mapping, however its strings look', () => {
    const next = randomJson(20_260_101);
    for (let run = 0; run < 3000; run += 1) {
      const value = { a: next(), b: [next(), { c: next() }] };
      const text = writeWorkflowYaml(value);
      const read = valueOf(readWorkflowYaml(text));
      expect(read, text).toEqual(value);
      expect(writeWorkflowYaml(read)).toBe(text);
    }
  });

  it('writes block style, 2-space indentation, no folding, strings quoted only when needed', () => {
    const long = 'word '.repeat(40).trim();
    const text = writeWorkflowYaml({
      apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'demo', description: 'Two\nlines\n',
      trigger: { type: 'manual' },
      steps: [{ id: 'a', action: 'echo', inputs: { n: '${{ trigger.n }}', y: 'off', blank: ' \n', s: 'id-${{ item }}', v: '1.0', b: 'yes', z: 'null', long } }],
      results: {},
    });
    expect(text).toBe([
      'apiVersion: trellis.dev/v1',
      'kind: Workflow',
      'name: demo',
      'description: |',
      '  Two',
      '  lines',
      'trigger:',
      '  type: manual',
      'steps:',
      '  - id: a',
      '    action: echo',
      '    inputs:',
      '      n: ${{ trigger.n }}',
      '      y: "off"',
      '      blank: " \\n"',
      '      s: id-${{ item }}',
      '      v: "1.0"',
      '      b: "yes"',
      '      z: "null"',
      `      long: ${long}`,
      'results: {}',
      '',
    ].join('\n'));
  });

  it('reads YAML 1.2 core data even when the file says %YAML 1.1', () => {
    expect(valueOf(readWorkflowYaml('%YAML 1.1\n---\na: yes\nb: 2024-01-01\nc: on\nd: 0x1f\ne: 1.0\nf: ~\n<<: x\n'))).toEqual({ a: 'yes', b: '2024-01-01', c: 'on', d: 31, e: 1, f: null, '<<': 'x' });
  });

  it('reads an empty text as null, and a key named __proto__ as a plain key', () => {
    expect(valueOf(readWorkflowYaml(''))).toBeNull();
    const value = valueOf(readWorkflowYaml('__proto__: { polluted: true }\n')) as Json;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Json)['polluted']).toBeUndefined();
  });

  it('expands a few aliases', () => {
    expect(valueOf(readWorkflowYaml('base: &b { x: 1 }\nsteps: [*b, *b]\n'))).toEqual({ base: { x: 1 }, steps: [{ x: 1 }, { x: 1 }] });
  });
});

describe('refusing what is not a workflow file', () => {
  it('names every syntax error with its line and column', () => {
    const errors = errorsOf('name: a\nsteps: [\n  - id: b\ntitle: "unclosed\n');
    expect(errors.length).toBeGreaterThan(1);
    for (const error of errors) {
      expect(error.code).toBe('yaml_syntax');
      expect(error.line).toBeGreaterThanOrEqual(2);
      expect(error.column).toBeGreaterThanOrEqual(1);
    }
    expect(errors).toEqual([...errors].sort((a, b) => a.line - b.line || a.column - b.column));
  });

  it('refuses duplicate keys, at the second one', () => {
    expect(errorsOf('name: a\nsteps:\n  - id: x\n    id: y\n')).toEqual([
      { code: 'yaml_syntax', message: 'The key "id" appears twice in this mapping; keep one.', line: 4, column: 5 },
    ]);
  });

  it('refuses a NUL and a lone surrogate written as escapes, in a value or a key, where they are (PostgreSQL cannot store them)', () => {
    expect(errorsOf('name: "a\\0b"\n')).toEqual([expect.objectContaining({ code: 'yaml_not_json', message: expect.stringContaining('NUL'), line: 1, column: 7 })]);
    expect(errorsOf('steps:\n  - "x\\ud800"\n')).toEqual([expect.objectContaining({ code: 'yaml_not_json', message: expect.stringContaining('surrogate'), line: 2, column: 5 })]);
    expect(errorsOf('"k\\udc00": 1\n')).toEqual([expect.objectContaining({ code: 'yaml_not_json', line: 1, column: 1 })]);
    expect(readWorkflowYaml('name: "\\ud83d\\ude00"\n')).toMatchObject({ ok: true, value: { name: '\u{1F600}' } });
  });

  it('refuses a second document', () => {
    expect(errorsOf('name: a\n---\nname: b\n')).toEqual([expect.objectContaining({ code: 'yaml_syntax', line: 2, column: 1 })]);
  });

  it('refuses a billion laughs quickly', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 9; level += 1) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      levels.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(',')}]`);
    }
    const started = performance.now();
    const errors = errorsOf(`${levels.join('\n')}\n`);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(errors).toEqual([expect.objectContaining({ code: 'yaml_too_complex', message: expect.stringContaining('YAML bomb') })]);
    expect(errors[0]?.line).toBeLessThan(9);
  });

  it(`refuses more than ${MAX_ALIASES} aliases, at the first one too many`, () => {
    const text = `x: &x 1\nl: [${Array.from({ length: MAX_ALIASES + 1 }, () => '*x').join(', ')}]\n`;
    expect(errorsOf(text)).toEqual([{ code: 'yaml_too_complex', message: expect.stringContaining(`${MAX_ALIASES} aliases`), line: 2, column: 5 + 4 * MAX_ALIASES }]);
    expect(readWorkflowYaml(`x: &x 1\nl: [${Array.from({ length: 10 }, () => '*x').join(', ')}]\n`).ok).toBe(true);
  });

  it(`refuses nesting deeper than ${MAX_DEPTH} levels, aliases included`, () => {
    const nested = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
    expect(readWorkflowYaml(`a: ${nested(MAX_DEPTH - 1)}\n`).ok).toBe(true);
    expect(errorsOf(`a: ${nested(MAX_DEPTH)}\n`)).toEqual([expect.objectContaining({ code: 'yaml_too_complex', line: 1 })]);
    // 40 levels in the anchor, used 30 levels deep: 70.
    expect(errorsOf(`a: &a ${nested(40)}\nb: ${'['.repeat(30)}*a${']'.repeat(30)}\n`)).toEqual([
      expect.objectContaining({ code: 'yaml_too_complex', message: expect.stringContaining('alias'), line: 2, column: 34 }),
    ]);
    expect(readWorkflowYaml(`a: &a ${nested(20)}\nb: ${'['.repeat(30)}*a${']'.repeat(30)}\n`).ok).toBe(true);
  });

  it('refuses a structure too deep for the parser, with one error', () => {
    const started = performance.now();
    const errors = errorsOf(`a: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(errors.map((error) => error.code)).toEqual(['yaml_too_complex']);
  });

  it.each([
    ['a timestamp', 'a: 1\nwhen: !!timestamp 2024-01-01\n', 2, 19, 'yaml_not_json'],
    ['binary', 'data: !!binary aGVsbG8=\n', 1, 16, 'yaml_not_json'],
    ['a custom tag', 'x: !Ref other\n', 1, 9, 'yaml_not_json'],
    ['a JavaScript tag', 'x: !!js/function "function () {}"\n', 1, 18, 'yaml_not_json'],
    ['a set', 'x: !!set { a, b }\n', 1, 10, 'yaml_not_json'],
    ['infinity', 'x:\n  y: .inf\n', 2, 6, 'yaml_not_json'],
    ['NaN', 'x: [1, .nan]\n', 1, 8, 'yaml_not_json'],
    ['an integer key', 'inputs:\n  1: x\n', 2, 3, 'yaml_not_json'],
    ['a boolean key', 'true: x\n', 1, 1, 'yaml_not_json'],
    ['a null key', '~: x\n', 1, 1, 'yaml_not_json'],
    ['a list as key', '? [a, b]\n: x\n', 1, 3, 'yaml_not_json'],
    ['an alias before its anchor', 'a: *nope\n', 1, 4, 'yaml_syntax'],
    ['an alias inside its own anchor', 'a: &a [1, *a]\n', 1, 11, 'yaml_not_json'],
  ] as const)('refuses %s, located', (_case, text, line, column, code) => {
    expect(errorsOf(text)).toEqual([{ code, message: expect.any(String), line, column }]);
  });

  it('lists every value that is not JSON at once', () => {
    expect(errorsOf('a: .inf\nb: !!binary aGk=\n1: c\n').map((error) => [error.code, error.line])).toEqual([
      ['yaml_not_json', 1], ['yaml_not_json', 2], ['yaml_not_json', 3],
    ]);
  });

  it('accepts the core tags and quoted keys', () => {
    expect(valueOf(readWorkflowYaml('"1": !!str 2\n!!str 3: !!int "4"\nx: !!null\n'))).toEqual({ 1: '2', 3: 4, x: null });
  });
});

describe('locating a path of the document', () => {
  const text = [
    'apiVersion: trellis.dev/v1', // 1
    'steps:', //                     2
    '  - id: a', //                  3
    '    action: echo', //           4
    '  - id: b', //                  5
    '    action: echo', //           6
    '  - id: c', //                  7
    '    inputs:', //                8
    '      n: ${{ steps.a.x }}', //  9
    '      m:', //                  10
    '      list: [1, two, 3]', //   11
    '    retry: &r { attempts: 3 }', // 12
    '  - id: d', //                 13
    '    retry: *r', //             14
    '',
  ].join('\n');
  const read = readWorkflowYaml(text);
  const locate = read.ok ? read.locate : () => undefined;

  it.each([
    [['steps', 2, 'inputs', 'n'], { line: 9, column: 10 }],
    [['steps', 2, 'inputs', 'list', 1], { line: 11, column: 17 }],
    [['steps', 2, 'inputs', 'm'], { line: 10, column: 7 }],
    [['steps', 2, 'inputs', 'missing'], { line: 9, column: 7 }],
    [['steps', 2, 'inputs'], { line: 9, column: 7 }],
    [['steps', 1], { line: 5, column: 5 }],
    [['steps', 9, 'id'], { line: 3, column: 3 }],
    [['steps', 'x'], { line: 3, column: 3 }],
    [['apiVersion'], { line: 1, column: 13 }],
    [['steps', 3, 'retry', 'attempts'], { line: 12, column: 27 }],
    [['steps', 3, 'retry'], { line: 14, column: 12 }],
    [['nowhere', 'deep'], { line: 1, column: 1 }],
    [[], { line: 1, column: 1 }],
  ] as const)('%j is at %j', (path, at) => {
    expect(read.ok).toBe(true);
    expect(locate(path)).toEqual(at);
  });

  it('has nothing to locate in an empty text', () => {
    const empty = readWorkflowYaml('');
    expect(empty.ok && empty.locate(['steps'])).toBeUndefined();
  });
});

const repository = path.join(import.meta.dirname, '..', '..', '..', '..', '..');

describe('docs/workflows.md', () => {
  const page = readFileSync(path.join(repository, 'docs', 'workflows.md'), 'utf8');
  /** The quoted words on the lines of a source file that make problems: its codes (and a few field names). */
  const codesIn = (file: string): string[] =>
    readFileSync(path.join(repository, file), 'utf8').split('\n')
      .filter((line) => /\bcode: |\bproblem\(/.test(line))
      .flatMap((line) => [...line.matchAll(/'([a-z]+(?:_[a-z]+)*)'/g)].map((match) => match[1] ?? ''));
  const codes = [...new Set([
    ...codesIn('packages/workflow-language/src/document.ts'),
    ...codesIn('packages/workflow-language/src/schedule.ts'),
    ...codesIn('services/studio/src/domain/workflow/validate.ts'),
    'yaml_syntax', 'yaml_too_complex', 'yaml_not_json',
  ])].sort();

  it('finds the problem codes it checks', () => {
    expect(codes).toEqual(expect.arrayContaining(['wrong_type', 'missing_trigger', 'bad_cron', 'bad_timezone', 'unknown_output', 'cycle', 'yaml_not_json']));
  });

  it.each(codes)('explains the problem code %s', (code) => {
    expect(page).toContain(`\`${code}\``);
  });

  const blocks = [...page.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  const documents = blocks.filter((block) => block.startsWith('apiVersion:'));

  it('has examples, and every one reads', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const block of blocks) expect(readWorkflowYaml(block).ok, block).toBe(true);
  });

  it('shows whole workflows with a valid shape, as Trellis writes them', () => {
    expect(documents.length).toBeGreaterThanOrEqual(2);
    for (const text of documents) {
      const value = valueOf(readWorkflowYaml(text));
      expect(shapeProblems(value)).toEqual([]);
      expect(writeWorkflowYaml(canonicalDocument(value))).toBe(text);
    }
  });
});
