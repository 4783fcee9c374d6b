import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '@trellis/kernel/io';
import { shapeProblems } from './document.js';
import { ACTION_REFERENCE, HTTP_PATH, IO_NAME, STEP_ID, WORKFLOW_NAME, WORKFLOW_SHAPE, type FieldSpec, type ObjectShape } from './document-shape.js';
import { workflowJsonSchema } from './json-schema.js';

type Schema = { [key: string]: Schema | Schema[] | string | string[] | number | boolean | JsonValue };
type Json = { [key: string]: JsonValue };

const committedPath = path.join(import.meta.dirname, '..', '..', '..', 'docs', 'workflow.schema.json');
const committed = readFileSync(committedPath, 'utf8');
const schema = JSON.parse(committed) as Schema;

const at = (node: unknown, ...keys: string[]): Schema => {
  let current = node as Schema;
  for (const key of keys) current = (current?.[key] ?? {}) as Schema;
  return current;
};

/** The minimum of a JSON Schema validator we use, if one is installed (none is a dependency of ours). */
type Validate = ((data: unknown) => boolean) & { errors?: unknown };
type ValidatorClass = new (options: Record<string, unknown>) => { compile(schema: object): Validate };

async function installedValidator(): Promise<ValidatorClass | undefined> {
  // Not a dependency: eslint brings ajv (6, draft-07 keywords, which are all the schema uses). The
  // name is in a variable so that neither the type checker nor the bundler insists on it.
  const name = 'ajv';
  try {
    const loaded = (await import(name)) as { default?: ValidatorClass };
    return loaded.default;
  } catch {
    return undefined;
  }
}

function aWorkflow(trigger: Json, extra: Json = {}): Json {
  return {
    apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'add-ten', title: 'Add ten', description: 'Adds ten.\nSlowly.',
    trigger,
    steps: [
      { id: 's1', action: 'add-one', inputs: { n: '${{ trigger.n }}' }, foreach: '${{ trigger.list }}', parallelism: 4, fail_fast: true },
      {
        id: 's2', title: 'Second', action: 'add-one@1.0.0', needs: ['s1'], when: '${{ steps.s1.n < 100 }}', inputs: { n: '${{ steps.s1.n }}', any: { deep: [1, null] } },
        retry: { attempts: 3, backoff: '1s', max_delay: '1m30s' }, timeout: '10s', on_failure: 'undo-s2',
      },
      { id: 'undo-s2', action: 'undo', inputs: { why: '${{ failure.message }}' } },
    ],
    results: { n: '${{ steps.s2.n }}' },
    on_finish: { webhook: 'https://example.com/hook' },
    ...extra,
  };
}

const valid: Record<string, Json> = {
  http: aWorkflow({ type: 'http', path: 'add/ten', timeout: 0, auth: 'none', inputs: [{ name: 'n', type: 'integer', help: 'A number', optional: true, default: 1 }, { name: 'e', type: 'enum', values: ['a', 'b'] }] }),
  'http with defaults': aWorkflow({ type: 'http', path: 'add-ten' }),
  manual: aWorkflow({ type: 'manual', inputs: [{ name: 'n', type: 'integer' }] }),
  schedule: aWorkflow({ type: 'schedule', cron: '*/5 * * * *', timezone: 'Europe/Paris', missed: 'catch_up', catch_up_limit: 3, inputs: { n: 1 } }),
  action: aWorkflow({ type: 'action', action: 'webhook-listener@1.0.0', inputs: { token: '${{ secrets.T }}' } }),
  minimal: { apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'abc', trigger: { type: 'manual' }, steps: [{ id: 'a', action: 'x' }] },
  'a site and resources': {
    apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'abc', site: 'docker', trigger: { type: 'manual' },
    steps: [{ id: 'a', action: 'x', resources: { cpu: '500m', memory: '512Mi' } }, { id: 'b', action: 'x', resources: { cpu: 2, memory: 1_048_576 } }, { id: 'c', action: 'x', resources: { cpu: '0.5' } }],
  },
};

const without = (document: Json, key: string): Json => Object.fromEntries(Object.entries(document).filter(([name]) => name !== key));
const base = valid['minimal'] as Json;

const invalid: Record<string, Json> = {
  'no trigger': without(base, 'trigger'),
  'no steps field': without(base, 'steps'),
  'an unknown field': { ...base, stepz: [] },
  'a wrong apiVersion': { ...base, apiVersion: 'trellis.dev/v2' },
  'a bad name': { ...base, name: 'Add Ten' },
  'an unknown trigger type': { ...base, trigger: { type: 'webhook' } },
  'an http trigger without its path': { ...base, trigger: { type: 'http' } },
  'a field of another trigger type': { ...base, trigger: { type: 'manual', cron: '* * * * *' } },
  'a bad auth': { ...base, trigger: { type: 'http', path: 'x', auth: 'maybe' } },
  'a bad duration': { ...base, trigger: { type: 'http', path: 'x', timeout: '30 seconds' } },
  'a number as duration': { ...base, trigger: { type: 'http', path: 'x', timeout: 30 } },
  'an unknown I/O type': { ...base, trigger: { type: 'manual', inputs: [{ name: 'n', type: 'number' }] } },
  'a bad input name': { ...base, trigger: { type: 'manual', inputs: [{ name: '1n', type: 'integer' }] } },
  'a step without action': { ...base, steps: [{ id: 'a' }] },
  'a bad step id': { ...base, steps: [{ id: '-a', action: 'x' }] },
  'a string parallelism': { ...base, steps: [{ id: 'a', action: 'x', parallelism: '8' }] },
  'parallelism 0': { ...base, steps: [{ id: 'a', action: 'x', parallelism: 0 }] },
  'retry without attempts': { ...base, steps: [{ id: 'a', action: 'x', retry: { backoff: '1s' } }] },
  'an unknown retry field': { ...base, steps: [{ id: 'a', action: 'x', retry: { attempts: 2, jitter: true } }] },
  'a bad result name': { ...base, results: { 'a b': 1 } },
  'inputs as a list': { ...base, steps: [{ id: 'a', action: 'x', inputs: [1] }] },
  'on_finish without webhook': { ...base, on_finish: {} },
  'a bad action reference': { ...base, steps: [{ id: 'a', action: 'x@@1' }] },
  'an unknown site': { ...base, site: 'cloud' },
  'a bad cpu': { ...base, steps: [{ id: 'a', action: 'x', resources: { cpu: 'two' } }] },
  'too many cores': { ...base, steps: [{ id: 'a', action: 'x', resources: { cpu: 65 } }] },
  'a bad memory unit': { ...base, steps: [{ id: 'a', action: 'x', resources: { memory: '512MB' } }] },
  'too much memory': { ...base, steps: [{ id: 'a', action: 'x', resources: { memory: 257 * 1024 ** 3 } }] },
  'an unknown resource': { ...base, steps: [{ id: 'a', action: 'x', resources: { gpu: 1 } }] },
};

describe('docs/workflow.schema.json', () => {
  it('is what workflowJsonSchema() gives (npm run schema:workflow writes it)', () => {
    expect(committed, 'docs/workflow.schema.json is out of date: run npm run schema:workflow').toBe(`${JSON.stringify(workflowJsonSchema(), null, 2)}\n`);
  });

  it('has the fields of the shape the reader checks, at every level', () => {
    const fieldsOf = (shape: ObjectShape) => shape.fields.map((field) => field.name);
    const specOf = (name: string): FieldSpec | undefined => WORKFLOW_SHAPE.fields.find((field) => field.name === name)?.spec;
    expect(Object.keys(at(schema, 'properties'))).toEqual(fieldsOf(WORKFLOW_SHAPE));
    expect(schema['required']).toEqual(WORKFLOW_SHAPE.fields.filter((field) => field.required).map((field) => field.name));
    expect(schema['additionalProperties']).toBe(false);
    const trigger = specOf('trigger');
    if (trigger?.kind !== 'variants') throw new Error('trigger is not a variants field');
    const variants = at(schema, 'properties', 'trigger')['oneOf'] as Schema[];
    expect(variants.map((variant) => at(variant, 'properties', 'type')['const'])).toEqual(Object.keys(trigger.variants));
    for (const variant of variants) {
      const shape = trigger.variants[String(at(variant, 'properties', 'type')['const'])] as ObjectShape;
      expect(Object.keys(at(variant, 'properties'))).toEqual(fieldsOf(shape));
    }
    const steps = specOf('steps');
    if (steps?.kind !== 'list' || steps.of.kind !== 'object') throw new Error('steps is not a list of objects');
    expect(Object.keys(at(schema, 'properties', 'steps', 'items', 'properties'))).toEqual(fieldsOf(steps.of.shape));
  });

  it('has the reader\'s patterns', () => {
    expect(at(schema, 'properties', 'name')['pattern']).toBe(WORKFLOW_NAME.source);
    const step = at(schema, 'properties', 'steps', 'items', 'properties');
    expect(at(step, 'id')['pattern']).toBe(STEP_ID.source);
    expect(at(step, 'action')['pattern']).toBe(ACTION_REFERENCE.source);
    expect(at(step, 'inputs', 'propertyNames')['pattern']).toBe(IO_NAME.source);
    const http = (at(schema, 'properties', 'trigger')['oneOf'] as Schema[]).find((variant) => at(variant, 'properties', 'type')['const'] === 'http');
    expect(at(http, 'properties', 'path')['pattern']).toBe(HTTP_PATH.source);
  });

  it.each(Object.entries(valid))('the reader accepts the example %s', (_name, document) => {
    expect(shapeProblems(document)).toEqual([]);
  });

  it.each(Object.entries(invalid))('the reader refuses the example with %s', (_name, document) => {
    expect(shapeProblems(document)).not.toEqual([]);
  });

  it('agrees with the reader on every example, checked by a JSON Schema validator when one is installed', async () => {
    const Validator = await installedValidator();
    if (!Validator) return; // only the structural checks above, then
    const { $schema: _draft, ...rest } = schema;
    const validate = new Validator({ allErrors: true, validateSchema: false }).compile(rest);
    for (const [name, document] of Object.entries(valid)) expect(validate(document), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    for (const [name, document] of Object.entries(invalid)) expect(validate(document), name).toBe(false);
  });
});
