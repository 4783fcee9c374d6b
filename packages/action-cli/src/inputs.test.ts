import { describe, expect, it } from 'vitest';
import type { ActionDefinition, IoDefinition } from '@trellis/action-manifest/definition';
import { parseInputs } from './inputs.js';

const io = (name: string, type: IoDefinition['type'], extra: Partial<IoDefinition> = {}): IoDefinition => ({ name, type, help: '', optional: false, ...extra });
const action = (inputs: IoDefinition[]): ActionDefinition => ({
  kind: 'Processor', id: 'x', version: '1.0.0', name: 'x', description: '', runtime: 'nodejs', handler: 'handler.js',
  categories: [], inputs, outputs: [], resources: {}, source: { format: 'trellis', manifest: 'trellis.yaml' },
});

describe('parseInputs', () => {
  const definition = action([
    io('text', 'string'), io('count', 'integer', { default: 3 }), io('ratio', 'float', { optional: true }), io('on', 'boolean', { optional: true }),
    io('color', 'enum', { values: ['red', 'green'], optional: true }), io('data', 'json', { optional: true }), io('doc', 'file', { optional: true }),
  ]);

  it('types every value by the definition and applies defaults', () => {
    expect(parseInputs(definition, ['text=a=b', 'ratio=0.5', 'on=true', 'color=green', 'data=[1,{"a":2}]', 'doc=@./notes.txt'])).toEqual({
      ok: true,
      inputs: [
        { name: 'text', kind: 'value', type: 'string', value: 'a=b' },
        { name: 'ratio', kind: 'value', type: 'float', value: 0.5 },
        { name: 'on', kind: 'value', type: 'boolean', value: true },
        { name: 'color', kind: 'value', type: 'enum', value: 'green' },
        { name: 'data', kind: 'value', type: 'json', value: [1, { a: 2 }] },
        { name: 'doc', kind: 'file', path: './notes.txt' },
        { name: 'count', kind: 'value', type: 'integer', value: 3 },
      ],
    });
  });

  it('reports every problem at once', () => {
    const result = parseInputs(definition, ['count=1.5', 'ratio=abc', 'on=yes', 'color=blue', 'data={', 'doc=notes.txt', 'nope=1', 'garbage']);
    expect(result).toEqual({
      ok: false,
      problems: [
        'count must be an integer, got "1.5"',
        'ratio must be a number, got "abc"',
        'on must be true or false, got "yes"',
        'color must be one of red, green',
        'data must be JSON, got {',
        'doc is a file: give a local path as doc=@path',
        'unknown input "nope"; the inputs are: text, count, ratio, on, color, data, doc',
        '"garbage" is not name=value',
        'missing input text (string)',
      ],
    });
  });
});
