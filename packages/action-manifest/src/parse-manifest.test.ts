import { describe, expect, it } from 'vitest';
import type { ActionDefinition } from './definition.js';
import { parseManifest } from './parse-manifest.js';
import { formatProblem } from './problem.js';

/** A valid manifest, one field per line (line numbers below rely on it). */
const BASE = ['apiVersion: trellis.dev/v1', 'kind: Processor', 'id: resize-image', 'version: 1.2.0', 'name: Resize image', 'runtime: nodejs'];

/** The base with some lines replaced (1-based) and more lines appended from line 7. */
function manifest(replace: Record<number, string> = {}, ...more: string[]): string {
  return [...BASE.map((line, index) => replace[index + 1] ?? line), ...more].join('\n') + '\n';
}

type BrokenCase = { readonly title: string; readonly text: string; readonly at: string; readonly code: string; readonly message: string };

const broken: BrokenCase[] = [
  { title: 'YAML syntax error', text: manifest({}, 'inputs: [a, b'), at: '8:1', code: 'yaml_syntax', message: 'YAML syntax error' },
  { title: 'tab indentation', text: manifest({}, 'resources:', '\tcpu: 1'), at: '8:1', code: 'yaml_syntax', message: 'YAML syntax error' },
  { title: 'duplicate top-level key', text: manifest({}, 'name: Again'), at: '7:1', code: 'duplicate_field', message: 'appears twice' },
  { title: 'not a mapping', text: '- just\n- a list\n', at: '1:1', code: 'not_a_mapping', message: 'the manifest must be a mapping' },
  { title: 'empty file', text: '', at: '1:1', code: 'not_a_mapping', message: 'trellis.yaml is empty' },
  { title: 'misspelt top-level field', text: manifest({}, 'inptus: []'), at: '7:1', code: 'unknown_field', message: 'unknown field "inptus" in the manifest (did you mean "inputs"?)' },
  { title: 'unknown field, nothing close', text: manifest({}, 'colour: red'), at: '7:1', code: 'unknown_field', message: 'unknown field "colour" in the manifest; expected one of: apiVersion' },
  { title: 'wrong apiVersion', text: manifest({ 1: 'apiVersion: trellis.dev/v2' }), at: '1:13', code: 'bad_api_version', message: 'unsupported apiVersion "trellis.dev/v2"; expected trellis.dev/v1' },
  { title: 'missing apiVersion', text: manifest({ 1: '# no apiVersion' }), at: '2:1', code: 'missing_field', message: 'missing required field "apiVersion"' },
  { title: 'bad kind', text: manifest({ 2: 'kind: Procesor' }), at: '2:7', code: 'bad_kind', message: 'bad kind "Procesor" (did you mean "Processor"?); expected one of: Trigger, Processor, Publisher' },
  { title: 'id with capitals and underscore', text: manifest({ 3: 'id: Resize_Image' }), at: '3:5', code: 'bad_id', message: 'bad id "Resize_Image"; expected 3 to 64 characters of a-z, 0-9 and -' },
  { title: 'id too short', text: manifest({ 3: 'id: ab' }), at: '3:5', code: 'bad_id', message: 'bad id "ab"' },
  { title: 'id with leading hyphen', text: manifest({ 3: 'id: -resize' }), at: '3:5', code: 'bad_id', message: 'not starting or ending with -' },
  { title: 'id too long', text: manifest({ 3: `id: ${'a'.repeat(65)}` }), at: '3:5', code: 'bad_id', message: 'bad id' },
  { title: 'id is a number', text: manifest({ 3: 'id: 12345' }), at: '3:5', code: 'wrong_type', message: '"id" must be a string (got 12345; quote it to make it a string)' },
  { title: 'version read as a number', text: manifest({ 4: 'version: 1.2' }), at: '4:10', code: 'bad_version', message: 'version 1.2 is read as a number' },
  { title: 'version not semver', text: manifest({ 4: 'version: v1.2.0' }), at: '4:10', code: 'bad_version', message: 'bad version "v1.2.0"; expected a semantic version' },
  { title: 'version with leading zero', text: manifest({ 4: 'version: 1.02.0' }), at: '4:10', code: 'bad_version', message: 'bad version "1.02.0"' },
  { title: 'missing name', text: manifest({ 5: '# nameless' }), at: '1:1', code: 'missing_field', message: 'missing required field "name"' },
  { title: 'empty name', text: manifest({ 5: 'name: "  "' }), at: '5:7', code: 'empty_value', message: '"name" must not be empty' },
  { title: 'description not a string', text: manifest({}, 'description: [a]'), at: '7:14', code: 'wrong_type', message: '"description" must be a string' },
  { title: 'bad runtime', text: manifest({ 6: 'runtime: node' }), at: '6:10', code: 'bad_runtime', message: 'bad runtime "node" (did you mean "nodejs"?); expected one of: nodejs, python' },
  { title: 'handler outside the folder', text: manifest({}, 'handler: ../shared/handler.js'), at: '7:10', code: 'bad_path', message: 'must be a path inside the action folder' },
  { title: 'handler absolute', text: manifest({}, 'handler: /etc/handler.js'), at: '7:10', code: 'bad_path', message: '"handler" "/etc/handler.js" must be a path inside' },
  { title: 'handler for another runtime', text: manifest({}, 'handler: main.py'), at: '7:10', code: 'handler_runtime_mismatch', message: 'handler "main.py" cannot run on nodejs; expected a file ending in .js, .mjs, .cjs' },
  { title: 'categories not a list', text: manifest({}, 'categories: images'), at: '7:13', code: 'wrong_type', message: '"categories" must be a list' },
  { title: 'category not a string', text: manifest({}, 'categories: [images, 3]'), at: '7:22', code: 'wrong_type', message: 'every item of "categories" must be a non-empty string' },
  { title: 'logo outside the folder', text: manifest({}, 'logo: ../logo.png'), at: '7:7', code: 'bad_path', message: '"logo" "../logo.png" must be a path inside' },
  { title: 'inputs not a list', text: manifest({}, 'inputs:', '  image: file'), at: '8:3', code: 'wrong_type', message: 'inputs must be a list' },
  { title: 'input not a mapping', text: manifest({}, 'inputs:', '  - image'), at: '8:5', code: 'not_a_mapping', message: 'input 1 must be a mapping' },
  { title: 'misspelt input field', text: manifest({}, 'inputs:', '  - { name: width, type: integer, hepl: Width }'), at: '8:35', code: 'unknown_field', message: 'unknown field "hepl" in input 1 (did you mean "help"?)' },
  { title: 'input without name', text: manifest({}, 'inputs:', '  - type: string'), at: '8:5', code: 'missing_field', message: 'input 1 has no "name"' },
  { title: 'bad input name', text: manifest({}, 'inputs:', '  - { name: 2nd-image, type: file }'), at: '8:13', code: 'bad_io_name', message: 'bad name "2nd-image" for input 1; expected a letter or _' },
  { title: 'duplicate input name', text: manifest({}, 'inputs:', '  - { name: image, type: file }', '  - { name: image, type: string }'), at: '9:13', code: 'duplicate_io_name', message: 'duplicate input name "image" (first declared at line 8)' },
  { title: 'duplicate output name', text: manifest({}, 'outputs:', '  - name: out', '    type: file', '  - name: out', '    type: json'), at: '10:11', code: 'duplicate_io_name', message: 'duplicate output name "out" (first declared at line 8)' },
  { title: 'input without type', text: manifest({}, 'inputs:', '  - name: width'), at: '8:5', code: 'missing_field', message: 'input "width" has no "type"; expected one of: string, longstring' },
  { title: 'unknown I/O type', text: manifest({}, 'inputs:', '  - { name: width, type: int }'), at: '8:26', code: 'bad_io_type', message: 'unknown type "int"' },
  { title: 'misspelt I/O type', text: manifest({}, 'outputs:', '  - { name: done, type: boolen }'), at: '8:25', code: 'bad_io_type', message: 'unknown type "boolen" (did you mean "boolean"?); expected one of: string, longstring, password, integer, float, boolean, enum, json, file, directory (output "done")' },
  { title: 'enum without values', text: manifest({}, 'inputs:', '  - { name: format, type: enum }'), at: '8:5', code: 'enum_without_values', message: 'input "format" is an enum but has no "values"' },
  { title: 'enum with empty values', text: manifest({}, 'inputs:', '  - { name: format, type: enum, values: [] }'), at: '8:41', code: 'enum_without_values', message: 'has no "values"' },
  { title: 'enum with a repeated value', text: manifest({}, 'inputs:', '  - { name: format, type: enum, values: [png, jpeg, png] }'), at: '8:53', code: 'duplicate_enum_value', message: 'value "png" appears twice in input "format"' },
  { title: 'values on a non-enum', text: manifest({}, 'inputs:', '  - { name: width, type: integer, values: [1, 2] }'), at: '8:35', code: 'values_not_allowed', message: '"values" is only for type enum, but input "width" is integer' },
  { title: 'integer default that is a float', text: manifest({}, 'inputs:', '  - { name: width, type: integer, default: 80.5 }'), at: '8:44', code: 'bad_default', message: 'default of input "width" must be a whole number, got 80.5' },
  { title: 'integer default that is a string', text: manifest({}, 'inputs:', '  - { name: width, type: integer, default: "800" }'), at: '8:44', code: 'bad_default', message: 'must be a whole number, got "800"' },
  { title: 'boolean default that is a string', text: manifest({}, 'inputs:', '  - { name: flip, type: boolean, default: "yes" }'), at: '8:43', code: 'bad_default', message: 'default of input "flip" must be true or false' },
  { title: 'string default that is a list', text: manifest({}, 'inputs:', '  - { name: text, type: string, default: [a] }'), at: '8:42', code: 'bad_default', message: 'must be a string, got a list or mapping' },
  { title: 'enum default not among values', text: manifest({}, 'inputs:', '  - { name: format, type: enum, values: [png, jpeg], default: gif }'), at: '8:63', code: 'bad_default', message: 'must be one of its values (png, jpeg), got "gif"' },
  { title: 'default on a file input', text: manifest({}, 'inputs:', '  - { name: image, type: file, default: a.png }'), at: '8:32', code: 'default_not_allowed', message: 'input "image" is of type file, which cannot have a default' },
  { title: 'default on a password', text: manifest({}, 'inputs:', '  - { name: token, type: password, default: hunter2 }'), at: '8:36', code: 'default_not_allowed', message: 'of type password' },
  { title: 'default on an output', text: manifest({}, 'outputs:', '  - { name: size, type: integer, default: 1 }'), at: '8:34', code: 'unknown_field', message: 'unknown field "default" in output 1' },
  { title: 'optional not a boolean', text: manifest({}, 'inputs:', '  - { name: text, type: string, optional: maybe }'), at: '8:43', code: 'wrong_type', message: '"optional" of input "text" must be true or false' },
  { title: 'resources not a mapping', text: manifest({}, 'resources: big'), at: '7:12', code: 'not_a_mapping', message: '"resources" must be a mapping' },
  { title: 'misspelt resource', text: manifest({}, 'resources: { cpu: 1, memroy: 1Gi }'), at: '7:22', code: 'unknown_field', message: 'unknown field "memroy" in "resources" (did you mean "memory"?)' },
  { title: 'zero cpu', text: manifest({}, 'resources: { cpu: 0 }'), at: '7:19', code: 'bad_cpu', message: 'cpu must be positive, got 0; expected a positive number of cores (0.5, 2) or millicores ("500m")' },
  { title: 'cpu with a bad unit', text: manifest({}, 'resources: { cpu: 2cores }'), at: '7:19', code: 'bad_cpu', message: 'bad cpu "2cores"' },
  { title: 'memory with a bad unit', text: manifest({}, 'resources: { memory: 256MB }'), at: '7:22', code: 'bad_memory', message: 'bad memory "256MB"; expected bytes (268435456) or a number with a unit: Ki, Mi, Gi, Ti' },
  { title: 'negative memory', text: manifest({}, 'resources:', '  memory: -5'), at: '8:11', code: 'bad_memory', message: 'memory must be a positive whole number of bytes, got -5' },
  { title: 'timeout without a unit', text: manifest({}, 'resources: { timeout: 90 }'), at: '7:23', code: 'bad_timeout', message: 'bad timeout 90 (a bare number has no unit); expected a number with a unit: ms, s, m or h (500ms, 90s, 5m, 1h)' },
  { title: 'timeout with a bad unit', text: manifest({}, 'resources: { timeout: 2d }'), at: '7:23', code: 'bad_timeout', message: 'bad timeout "2d"' },
];

describe('parseManifest: broken manifests', () => {
  it('has a large table', () => {
    expect(broken.length).toBeGreaterThanOrEqual(25);
  });

  it.each(broken)('$title → $code at $at', ({ text, at, code, message }) => {
    const result = parseManifest(text, 'trellis.yaml');
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((p) => `${p.line}:${p.column} ${p.code}`)).toEqual([`${at} ${code}`]);
    const [problem] = problems;
    expect(problem?.file).toBe('trellis.yaml');
    expect(problem?.message).toContain(message);
  });
});

describe('parseManifest: several problems', () => {
  it('reports every problem, each where it is, not only the first', () => {
    const text = [
      'apiVersion: trellis.dev/v1',
      'kind: Function',
      'id: Bad_Id',
      'version: "1"',
      'name: Broken',
      'runtime: nodejs',
      'inptus: []',
      'inputs:',
      '  - { name: a, type: int }',
      '  - { name: a, type: string }',
      '  - { name: choice, type: enum }',
      'resources: { memory: 1 GB, timeout: 10 }',
    ].join('\n');
    const result = parseManifest(text, 'actions/x/trellis.yaml');
    expect(result.ok).toBe(false);
    const lines = result.ok ? [] : result.problems.map(formatProblem);
    expect(lines).toEqual([
      'actions/x/trellis.yaml:7:1: unknown field "inptus" in the manifest (did you mean "inputs"?); expected one of: apiVersion, kind, id, version, name, description, runtime, handler, categories, logo, inputs, outputs, resources',
      'actions/x/trellis.yaml:2:7: bad kind "Function"; expected one of: Trigger, Processor, Publisher',
      expect.stringMatching(/^actions\/x\/trellis\.yaml:3:5: bad id "Bad_Id"/),
      expect.stringMatching(/^actions\/x\/trellis\.yaml:4:10: bad version "1"/),
      expect.stringMatching(/^actions\/x\/trellis\.yaml:9:22: unknown type "int"/),
      'actions/x/trellis.yaml:10:13: duplicate input name "a" (first declared at line 9); names must be unique',
      expect.stringMatching(/^actions\/x\/trellis\.yaml:11:5: input "choice" is an enum but has no "values"/),
      expect.stringMatching(/^actions\/x\/trellis\.yaml:12:22: bad memory "1 GB"/),
      expect.stringMatching(/^actions\/x\/trellis\.yaml:12:37: bad timeout 10/),
    ]);
  });

  it('still gives the folder checks what they need when other fields are wrong', () => {
    const result = parseManifest(manifest({ 3: 'id: X' }, 'handler: src/main.js', 'logo: img/logo.png'));
    expect(result.ok).toBe(false);
    expect(result.references).toEqual({
      runtime: 'nodejs',
      entry: 'handle',
      handler: { path: 'src/main.js', at: { line: 7, column: 10 }, defaulted: false },
      logo: { path: 'img/logo.png', at: { line: 8, column: 7 }, defaulted: false },
    });
  });
});

describe('parseManifest: valid manifests', () => {
  it('maps the DESIGN.md example exactly', () => {
    const text = [
      'apiVersion: trellis.dev/v1',
      'kind: Processor',
      'id: resize-image',
      'version: 1.2.0',
      'name: Resize image',
      'description: Scale a picture to a maximum width.',
      'runtime: nodejs',
      'handler: handler.js',
      'categories: [images]',
      'logo: logo.png',
      'inputs:',
      '  - { name: image, type: file, help: The picture }',
      '  - { name: width, type: integer, default: 800, help: Maximum width in pixels }',
      '  - { name: format, type: enum, values: [png, jpeg], optional: true }',
      'outputs:',
      '  - { name: resized, type: file }',
      'resources: { cpu: 0.5, memory: 256Mi, timeout: 60s }',
    ].join('\n');
    const expected: ActionDefinition = {
      kind: 'Processor',
      id: 'resize-image',
      version: '1.2.0',
      name: 'Resize image',
      description: 'Scale a picture to a maximum width.',
      runtime: 'nodejs',
      handler: 'handler.js',
      categories: ['images'],
      logo: 'logo.png',
      inputs: [
        { name: 'image', type: 'file', help: 'The picture', optional: false },
        { name: 'width', type: 'integer', help: 'Maximum width in pixels', optional: false, default: 800 },
        { name: 'format', type: 'enum', help: '', optional: true, values: ['png', 'jpeg'] },
      ],
      outputs: [{ name: 'resized', type: 'file', help: '', optional: false }],
      resources: { cpu: 0.5, memoryBytes: 256 * 1024 * 1024, timeoutMs: 60_000 },
      source: { format: 'trellis', manifest: 'trellis.yaml' },
    };
    expect(parseManifest(text)).toEqual({
      ok: true,
      definition: expected,
      references: {
        runtime: 'nodejs',
        entry: 'handle',
        handler: { path: 'handler.js', at: { line: 8, column: 10 }, defaulted: false },
        logo: { path: 'logo.png', at: { line: 10, column: 7 }, defaulted: false },
      },
    });
  });

  it.each([
    ['Processor', 'nodejs', 'handler.js', 'handle'],
    ['Publisher', 'python', 'handler.py', 'handle'],
    ['Trigger', 'nodejs', 'handler.js', 'run'],
    ['Trigger', 'python', 'handler.py', 'run'],
  ] as const)('a minimal %s on %s defaults the handler to %s (entry %s)', (kind, runtime, handler, entry) => {
    const result = parseManifest(manifest({ 2: `kind: ${kind}`, 6: `runtime: ${runtime}` }));
    expect(result).toEqual({
      ok: true,
      definition: {
        kind,
        id: 'resize-image',
        version: '1.2.0',
        name: 'Resize image',
        description: '',
        runtime,
        handler,
        categories: [],
        inputs: [],
        outputs: [],
        resources: {},
        source: { format: 'trellis', manifest: 'trellis.yaml' },
      },
      references: { runtime, entry, handler: { path: handler, at: { line: 6, column: 10 }, defaulted: true } },
    });
  });

  it('accepts every I/O type with typed defaults, optional outputs and a pre-release version', () => {
    const result = parseManifest(
      manifest(
        { 4: 'version: 2.0.0-beta.1', 6: 'runtime: python' },
        'handler: src/main.py',
        'inputs:',
        '  - { name: s, type: string, default: hi }',
        '  - { name: l, type: longstring, default: "" }',
        '  - { name: p, type: password }',
        '  - { name: i, type: integer, default: -3 }',
        '  - { name: f, type: float, default: 2 }',
        '  - { name: b, type: boolean, default: false }',
        '  - { name: e, type: enum, values: [a, b], default: b }',
        '  - { name: j, type: json, default: { k: [1, null, true] } }',
        '  - { name: file_in, type: file }',
        '  - { name: _dir, type: directory, optional: true }',
        'outputs:',
        '  - { name: report, type: file, optional: true, help: Only when asked }',
        'resources: { cpu: "250m", memory: 1G, timeout: 500ms }',
      ),
    );
    expect(result.ok).toBe(true);
    const definition = result.ok ? result.definition : undefined;
    expect(definition?.version).toBe('2.0.0-beta.1');
    expect(definition?.handler).toBe('src/main.py');
    expect(definition?.inputs.map((io) => [io.name, io.type, io.default])).toEqual([
      ['s', 'string', 'hi'],
      ['l', 'longstring', ''],
      ['p', 'password', undefined],
      ['i', 'integer', -3],
      ['f', 'float', 2],
      ['b', 'boolean', false],
      ['e', 'enum', 'b'],
      ['j', 'json', { k: [1, null, true] }],
      ['file_in', 'file', undefined],
      ['_dir', 'directory', undefined],
    ]);
    expect(definition?.outputs).toEqual([{ name: 'report', type: 'file', help: 'Only when asked', optional: true }]);
    expect(definition?.resources).toEqual({ cpu: 0.25, memoryBytes: 1e9, timeoutMs: 500 });
  });

  it('names the file it was given in problems and in the definition', () => {
    const result = parseManifest(manifest(), 'trellis.yml');
    expect(result.ok && result.definition.source).toEqual({ format: 'trellis', manifest: 'trellis.yml' });
  });
});
