import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { INJECTED_VALUES, IO_TYPES, KINDS, RUNTIMES } from './definition.js';
import { ACTION_ID, SEMVER } from './field-readers.js';
import { IO_NAME } from './io-list.js';
import { API_VERSION, INPUT_FIELDS, MANIFEST_FIELDS, OUTPUT_FIELDS, REQUIRED_FIELDS, RESOURCE_FIELDS } from './manifest-fields.js';
import { parseManifest } from './parse-manifest.js';
import { PROBLEM_CODES } from './problem.js';

type SchemaNode = { properties?: Record<string, SchemaNode>; required?: string[]; enum?: string[]; const?: string; pattern?: string; $defs?: Record<string, SchemaNode> };

const docs = path.join(import.meta.dirname, '..', '..', '..', 'docs');
const schemaPath = path.join(docs, 'action-manifest.schema.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as SchemaNode;
const defs = schema.$defs ?? {};
const keys = (node: SchemaNode | undefined): string[] => Object.keys(node?.properties ?? {}).sort();

describe('docs/action-manifest.schema.json stays in step with the validator', () => {
  it('has the same fields at every level', () => {
    expect(keys(schema)).toEqual([...MANIFEST_FIELDS].sort());
    expect(keys(defs['input'])).toEqual([...INPUT_FIELDS].sort());
    expect(keys(defs['output'])).toEqual([...OUTPUT_FIELDS].sort());
    expect(keys(schema.properties?.['resources'])).toEqual([...RESOURCE_FIELDS].sort());
  });

  it('requires the same fields', () => {
    expect([...(schema.required ?? [])].sort()).toEqual([...REQUIRED_FIELDS].sort());
  });

  it('has the same kinds, runtimes, I/O types and apiVersion', () => {
    expect(schema.properties?.['kind']?.enum).toEqual([...KINDS]);
    expect(schema.properties?.['runtime']?.enum).toEqual([...RUNTIMES]);
    expect(defs['ioType']?.enum).toEqual([...IO_TYPES]);
    expect(schema.properties?.['apiVersion']?.const).toBe(API_VERSION);
  });

  it('has the same patterns for id, version and I/O names', () => {
    expect(schema.properties?.['id']?.pattern).toBe(ACTION_ID.source);
    expect(schema.properties?.['version']?.pattern).toBe(SEMVER.source);
    expect(defs['ioName']?.pattern).toBe(IO_NAME.source);
  });
});

describe('REQUIRED_FIELDS is what the validator requires', () => {
  const full = { apiVersion: 'trellis.dev/v1', kind: 'Processor', id: 'abc', version: '1.0.0', name: 'A', runtime: 'python', description: 'd', categories: '[x]' };
  const without = (field: string): string =>
    Object.entries(full)
      .filter(([name]) => name !== field)
      .map(([name, value]) => `${name}: ${value}`)
      .join('\n');

  it.each(Object.keys(full))('without %s', (field) => {
    const result = parseManifest(without(field));
    const required: readonly string[] = REQUIRED_FIELDS;
    if (required.includes(field)) {
      expect(result.ok ? [] : result.problems.map((p) => [p.code, p.message])).toEqual([['missing_field', expect.stringContaining(`"${field}"`)]]);
    } else expect(result.ok).toBe(true);
  });
});

describe('docs/actions.md stays in step with the validator', () => {
  const reference = readFileSync(path.join(docs, 'actions.md'), 'utf8');

  it.each([...PROBLEM_CODES])('explains the problem code %s', (code) => {
    expect(reference).toContain(`\`${code}\``);
  });

  it.each([...INJECTED_VALUES])('explains the injected value %s', (value) => {
    expect(reference).toContain(`'${value}'`);
  });
});
