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
    ['table I/O', ryax({}, '  outputs:', '    - { name: rows, human_name: Rows, help: x, type: table }'), '9:54', 'bad_io_type', 'Ryax type "table" has no Trellis equivalent; use json instead'],
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
