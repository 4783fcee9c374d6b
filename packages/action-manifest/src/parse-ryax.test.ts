import { describe, expect, it } from 'vitest';
import { parseRyaxManifest } from './parse-ryax.js';

const BASE = ['apiVersion: "ryax.tech/v2.0"', 'kind: Processor', 'spec:', '  id: word-count', '  human_name: Word count', '  type: python3', '  version: "1.0"'];

function ryax(replace: Record<number, string> = {}, ...more: string[]): string {
  return [...BASE.map((line, index) => replace[index + 1] ?? line), ...more].join('\n') + '\n';
}

describe('parseRyaxManifest', () => {
  it('maps a minimal processor, padding the two-part version', () => {
    const result = parseRyaxManifest(ryax());
    expect(result).toEqual({
      ok: true,
      definition: {
        kind: 'Processor',
        id: 'word-count',
        version: '1.0.0',
        name: 'Word count',
        description: '',
        runtime: 'python',
        handler: 'ryax_handler.py',
        categories: [],
        inputs: [],
        outputs: [],
        resources: {},
        source: { format: 'ryax', manifest: 'ryax_metadata.yaml' },
      },
      references: { format: 'ryax', runtime: 'python', entry: 'handle', handler: { path: 'ryax_handler.py', at: { line: 6, column: 9 }, defaulted: true } },
    });
  });

  it.each([
    ['Functions', 'Processor', 'ryax_handler.py'],
    ['Sources', 'Trigger', 'ryax_run.py'],
    ['Source', 'Trigger', 'ryax_run.py'],
    ['Publishers', 'Publisher', 'ryax_handler.py'],
  ])('maps kind %s to %s with handler %s', (ryaxKind, kind, handler) => {
    const result = parseRyaxManifest(ryax({ 2: `kind: ${ryaxKind}` }));
    expect(result.ok && [result.definition.kind, result.definition.handler]).toEqual([kind, handler]);
  });

  it('maps a nodejs action onto ryax_handler.js', () => {
    const result = parseRyaxManifest(ryax({ 6: '  type: nodejs' }));
    expect(result.ok && [result.definition.runtime, result.definition.handler]).toEqual(['nodejs', 'ryax_handler.js']);
  });

  it('uses human_name as help when help is missing', () => {
    const result = parseRyaxManifest(ryax({}, '  inputs:', '    - { name: text, human_name: Text to count, type: longstring }'));
    expect(result.ok && result.definition.inputs).toEqual([{ name: 'text', type: 'longstring', help: 'Text to count', optional: false }]);
  });

  it.each([
    ['wrong apiVersion', ryax({ 1: 'apiVersion: "ryax.tech/v1"' }), '1:13', 'bad_api_version', 'unsupported Ryax apiVersion "ryax.tech/v1"; expected ryax.tech/v2.0'],
    ['unknown kind', ryax({ 2: 'kind: Sink' }), '2:7', 'bad_kind', 'bad Ryax kind "Sink"'],
    ['misspelt spec field', ryax({}, '  humanname: x'), '8:3', 'unknown_field', 'unknown field "humanname" in "spec" (did you mean "human_name"?)'],
    ['id Trellis cannot take', ryax({ 4: '  id: word_count' }), '4:7', 'bad_id', 'bad id "word_count"'],
    ['unknown runtime', ryax({ 6: '  type: pyhton3' }), '6:9', 'bad_runtime', 'Ryax type "pyhton3" cannot run on Trellis (did you mean "python3"?); expected one of: python3, nodejs'],
    ['missing version', ryax({ 7: '' }), '4:3', 'missing_field', 'missing required field "version"'],
    ['table I/O', ryax({}, '  outputs:', '    - { name: rows, human_name: Rows, help: x, type: table }'), '9:54', 'bad_io_type', 'Ryax type "table" has no Trellis equivalent; use longstring (the rows as JSON or CSV text) or file instead'],
    ['enum without enum_values', ryax({}, '  inputs:', '    - { name: mode, human_name: Mode, help: x, type: enum }'), '9:7', 'enum_without_values', 'has no "enum_values"'],
    ['default_value of the wrong type', ryax({}, '  inputs:', '    - { name: n, human_name: N, help: x, type: integer, default_value: ten }'), '9:72', 'bad_default', 'must be a whole number, got "ten"'],

    ['bad memory', ryax({}, '  resources: { memory: 4GB }'), '8:24', 'bad_memory', 'bad memory "4GB"; expected bytes (1000000000) or a number with K, M or G'],
    ['bad time', ryax({}, '  resources: { time: soon }'), '8:22', 'bad_timeout', 'bad time "soon"'],
    ['no spec', 'apiVersion: "ryax.tech/v2.0"\nkind: Processor\n', '1:1', 'missing_field', 'missing required field "spec"'],
  ])('reports %s', (_title, text, at, code, message) => {
    const result = parseRyaxManifest(text);
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((p) => `${p.line}:${p.column} ${p.code}`)).toEqual([`${at} ${code}`]);
    expect(problems[0]?.file).toBe('ryax_metadata.yaml');
    expect(problems[0]?.message).toContain(message);
  });
});

const problemsOf = (text: string): string[] => {
  const result = parseRyaxManifest(text);
  return result.ok ? [] : result.problems.map((p) => `${p.line}:${p.column} ${p.code}: ${p.message}`);
};
const definitionOf = (text: string) => {
  const result = parseRyaxManifest(text);
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.line}:${p.column} ${p.code}: ${p.message}`).join('\n'));
  return result.definition;
};

describe('parseRyaxManifest: read as Ryax reads it (PyYAML)', () => {
  it('accepts a description continued at the indentation of its key, as in Ryax default triggers', () => {
    const text = ryax({}, '  description: "Start a run every given amount of time.', '  The first run starts at once."');
    expect(definitionOf(text).description).toBe('Start a run every given amount of time. The first run starts at once.');
  });

  it('accepts a help continued at the indentation of its keys, in a list', () => {
    const text = ryax({}, '  inputs:', '  - help: "The text', '    to count"', '    name: text', '    type: longstring');
    expect(definitionOf(text).inputs).toEqual([{ name: 'text', type: 'longstring', help: 'The text to count', optional: false }]);
  });

  it('types values as PyYAML: enum values y and n stay strings, optional: yes is true', () => {
    const text = ryax({}, '  inputs:', '    - { name: answer, type: enum, enum_values: [y, n], default_value: n, optional: yes }');
    expect(definitionOf(text).inputs).toEqual([{ name: 'answer', type: 'enum', help: '', optional: true, values: ['y', 'n'], default: 'n' }]);
  });

  it('keeps the last of a field given twice, as PyYAML does', () => {
    expect(definitionOf(ryax({}, '  human_name: Count words')).name).toBe('Count words');
  });

  it('resolves anchors and << merges', () => {
    const text = ryax({}, '  inputs:', '    - &text { name: first, type: string, help: Some text }', '    - { <<: *text, name: second }');
    expect(definitionOf(text).inputs.map((io) => [io.name, io.type, io.help])).toEqual([
      ['first', 'string', 'Some text'],
      ['second', 'string', 'Some text'],
    ]);
  });

  it('points at a value on a re-indented line where it is in the file', () => {
    expect(problemsOf(ryax({}, '  resources: {cpu: 1,', '  memory: 4GB}'))).toEqual([
      '9:11 bad_memory: bad memory "4GB"; expected bytes (1000000000) or a number with K, M or G (512M, 4G)',
    ]);
  });
});

describe('parseRyaxManifest: default_value', () => {
  it.each([
    ['password', 's3cret', 's3cret'],
    ['file', 'data/model.bin', 'data/model.bin'],
    ['directory', 'data', 'data'],
    ['string', 'hello', 'hello'],
    ['longstring', '"two words"', 'two words'],
    ['integer', '10', 10],
    ['float', '0.5', 0.5],
    ['boolean', 'no', false],
  ])('is accepted on a %s input (%s)', (type, value, expected) => {
    const text = ryax({}, '  inputs:', `    - { name: x, type: ${type}, default_value: ${value} }`);
    expect(definitionOf(text).inputs[0]).toEqual({ name: 'x', type, help: '', optional: false, default: expected });
  });

  it('is a string on a password, file or directory input', () => {
    expect(problemsOf(ryax({}, '  inputs:', '    - { name: pin, type: password, default_value: 1234 }'))).toEqual([
      '9:51 bad_default: default of input "pin" must be a string, got 1234',
    ]);
  });

  it('may be missing on an optional input', () => {
    const text = ryax({}, '  inputs:', '    - { name: token, type: password, optional: true }');
    expect(definitionOf(text).inputs).toEqual([{ name: 'token', type: 'password', help: '', optional: true }]);
  });
});

describe('parseRyaxManifest: inputs the platform sets', () => {
  const source = (...inputs: string[]) => ryax({ 2: 'kind: Source' }, '  inputs:', ...inputs);

  it('marks ryax_endpoint_port and ryax_endpoint_prefix of a trigger as injected', () => {
    const text = source('    - { name: ryax_endpoint_port, type: integer }', '    - { name: ryax_endpoint_prefix, type: string }', '    - { name: dir, type: directory }');
    expect(definitionOf(text).inputs.map((io) => [io.name, io.injected])).toEqual([
      ['ryax_endpoint_port', 'http_port'],
      ['ryax_endpoint_prefix', 'http_prefix'],
      ['dir', undefined],
    ]);
  });

  it('accepts a port declared as a string', () => {
    expect(definitionOf(source('    - { name: ryax_endpoint_port, type: string }')).inputs[0]?.injected).toBe('http_port');
  });

  it.each([
    ['a port that is a file', source('    - { name: ryax_endpoint_port, type: file }'), '9:41 bad_injected_input: "ryax_endpoint_port" is set by the platform to the port its HTTP server listens on; declare it as integer or string, not file (input "ryax_endpoint_port")'],
    [
      'a prefix that is a number',
      source('    - { name: ryax_endpoint_prefix, type: integer }'),
      '9:43 bad_injected_input: "ryax_endpoint_prefix" is set by the platform to the URL path prefix it is reached under; declare it as string or longstring, not integer (input "ryax_endpoint_prefix")',
    ],
    [
      'a port on a processor',
      ryax({}, '  inputs:', '    - { name: ryax_endpoint_port, type: integer }'),
      '9:41 bad_injected_input: "ryax_endpoint_port" is set by the platform only for triggers (kind Source) that serve HTTP, and this action is a Processor; rename the input (input "ryax_endpoint_port")',
    ],
  ])('refuses %s', (_title, text, expected) => {
    expect(problemsOf(text)).toEqual([expected]);
  });
});

describe('parseRyaxManifest: Ryax features Trellis cannot honour are named', () => {
  it.each([
    ['Nix dependencies (Python)', ryax({}, '  dependencies: [opencv, git]'), '8:3 unsupported_nix_dependencies', 'Nix "dependencies" (opencv, git) are not installed by Trellis, which does not build with Nix; list the Python packages the handler needs in requirements.txt, and remove "dependencies"'],
    ['Nix dependencies (Node.js)', ryax({ 6: '  type: nodejs' }, '  dependencies:', '  - git'), '8:3 unsupported_nix_dependencies', 'list the npm packages the handler needs in package.json'],
    ['options.python', ryax({}, '  options:', '    python:', '      version: "3.11"'), '9:5 unsupported_option', 'Trellis runs Python handlers with the python3 it is given, not a version chosen per action; remove "options.python"'],
    ['options.nixpkgs', ryax({}, '  options: { nixpkgs: { version: nixos-unstable } }'), '8:14 unsupported_option', 'there is no nixpkgs to pin; remove "options.nixpkgs"'],
    ['another option', ryax({}, '  options: { fast: true }'), '8:14 unsupported_option', 'Ryax option "fast" is not supported by Trellis; remove it'],
    ['the hpc addon', ryax({}, '  addons:', '    hpc: {}'), '9:5 unsupported_addon', 'Trellis does not offload actions to HPC clusters (Slurm); remove "addons.hpc"'],
    ['another addon', ryax({}, '  addons: { mlflow: {} }'), '8:13 unsupported_addon', 'Ryax addon "mlflow" is not supported by Trellis; remove it'],
    ['http_service on a processor', ryax({}, '  addons: { http_service: { port: 8080 } }'), '8:13 unsupported_addon', 'only triggers (kind Source) serve HTTP on Trellis; remove "addons.http_service"'],
    ['dynamic outputs', ryax({}, '  dynamic_outputs: true'), '8:3 unsupported_dynamic_outputs', 'declare every output under "outputs" and remove "dynamic_outputs"'],
    ['a GPU count', ryax({}, '  resources:', '    gpu: 1'), '9:5 unsupported_gpu', 'Trellis does not schedule GPUs; remove "gpu" (the action then runs on CPU)'],
    ['a kind of GPU', ryax({}, '  resources: { gpu: { count: 1, memory: 40G } }'), '8:16 unsupported_gpu', 'Trellis does not schedule GPUs'],
    ['the CUDA runtime', ryax({ 6: '  type: python3-cuda' }), '6:9 unsupported_runtime', 'Ryax type "python3-cuda" cannot run on Trellis: Trellis has no CUDA image and schedules no GPUs; use "type: python3" if the action can run on CPU'],
    ['the C# runtime', ryax({ 6: '  type: csharp-dotnet6' }), '6:9 unsupported_runtime', 'Trellis runs python3 and nodejs actions only'],
    ['a Node.js source', ryax({ 2: 'kind: Source', 6: '  type: nodejs' }), '6:9 unsupported_runtime', 'Ryax runs triggers (kind Source) in python3 only, and so does Trellis; write the trigger as ryax_run.py'],
  ])('%s', (_title, text, at, message) => {
    const result = parseRyaxManifest(text);
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((p) => `${p.line}:${p.column} ${p.code}`)).toEqual([at]);
    expect(problems[0]?.message).toContain(message);
  });

  it.each([
    ['no dependencies', ryax({}, '  dependencies: []')],
    ['no addons', ryax({}, '  addons: {}')],
    ['no options', ryax({}, '  options: {}')],
    ['dynamic_outputs: false', ryax({}, '  dynamic_outputs: false')],
    ['http_service on a source', ryax({ 2: 'kind: Source' }, '  addons:', '    http_service:', '      port: 8080', '      endpoint_prefix: /notebook', '      strip_path_prefix: false')],
  ])('accepts %s', (_title, text) => {
    expect(problemsOf(text)).toEqual([]);
  });

  it.each([
    ['a port that is not one', '      port: "80a"', '10:13 wrong_type: "port" of "addons.http_service" must be a TCP port, a whole number from 1 to 65535'],
    ['a misspelt field', '      prot: 80', '10:7 unknown_field: unknown field "prot" in "addons.http_service" (did you mean "port"?); expected one of: port, endpoint_prefix, strip_path_prefix'],
  ])('checks http_service: %s', (_title, line, expected) => {
    expect(problemsOf(ryax({ 2: 'kind: Source' }, '  addons:', '    http_service:', line))).toEqual([expected]);
  });
});
