import fc from 'fast-check';
import type { Schema } from './openapi.js';

/**
 * Values a JSON Schema accepts, as fast-check arbitraries: what a well-behaved client sends.
 * Sizes stay small (a valid request should reach the handler, not the body limit); recursive
 * schemas (a workflow document's values) stop nesting after a few levels.
 */
export type Resolve = (ref: string) => Schema;

const MAX_DEPTH = 4;

const list = (value: unknown): Schema[] => (Array.isArray(value) ? (value as Schema[]) : []);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

export function validValue(schema: Schema, resolve: Resolve, depth = 0): fc.Arbitrary<unknown> {
  if (typeof schema['$ref'] === 'string') return depth > MAX_DEPTH ? fc.constant('leaf') : validValue(resolve(schema['$ref']), resolve, depth + 1);
  if ('const' in schema) return fc.constant(schema['const']);
  if (Array.isArray(schema['enum'])) return fc.constantFrom(...(schema['enum'] as unknown[]));
  const branches = [...list(schema['anyOf']), ...list(schema['oneOf'])];
  if (branches.length > 0) {
    // Deep down, only the branches that do not recurse, so generation ends.
    const usable = depth > MAX_DEPTH ? branches.filter((branch) => !['array', 'object'].includes(String(branch['type']))) : branches;
    return fc.oneof(...(usable.length > 0 ? usable : branches).map((branch) => validValue(branch, resolve, depth + 1)));
  }
  if (list(schema['allOf']).length > 0) return validValue(Object.assign({}, ...list(schema['allOf'])) as Schema, resolve, depth + 1);
  switch (schema['type']) {
    case 'string':
      return validString(schema);
    case 'integer':
      return fc.integer({ min: Math.max(num(schema['minimum']) ?? -1_000_000, -1_000_000), max: Math.min(num(schema['maximum']) ?? 1_000_000, 1_000_000) });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: num(schema['minimum']) ?? -1e9, max: num(schema['maximum']) ?? 1e9 });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(validValue((schema['items'] as Schema | undefined) ?? {}, resolve, depth + 1), { maxLength: Math.min(num(schema['maxItems']) ?? 4, 4) });
    case 'object':
      return validObject(schema, resolve, depth);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function validString(schema: Schema): fc.Arbitrary<string> {
  const minLength = num(schema['minLength']) ?? 0;
  const maxLength = Math.min(num(schema['maxLength']) ?? 40, 200);
  if (schema['format'] === 'uuid') return fc.uuid();
  if (schema['format'] === 'date-time') return fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((date) => date.toISOString());
  if (typeof schema['pattern'] === 'string') {
    return fc.stringMatching(new RegExp(schema['pattern'])).filter((text) => text.length >= minLength && text.length <= Math.max(maxLength, minLength));
  }
  return fc.string({ minLength, maxLength: Math.max(maxLength, minLength) });
}

function validObject(schema: Schema, resolve: Resolve, depth: number): fc.Arbitrary<unknown> {
  const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
  const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : [];
  const named = fc.record(Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, validValue(value, resolve, depth + 1)])), { requiredKeys: required });
  const extra = schema['additionalProperties'];
  if (Object.keys(properties).length > 0 || extra === false || extra === undefined) return named;
  const values = typeof extra === 'object' && extra !== null ? validValue(extra as Schema, resolve, depth + 1) : fc.jsonValue({ maxDepth: 2 });
  return fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), values, { maxKeys: 4 });
}

/** Values at and just past a schema's bounds (lengths, ranges, item counts), and the extremes of its type. */
export function boundaryValues(schema: Schema, resolve: Resolve): unknown[] {
  if (typeof schema['$ref'] === 'string') return boundaryValues(resolve(schema['$ref']), resolve);
  const branches = [...list(schema['anyOf']), ...list(schema['oneOf'])];
  if (branches.length > 0) return branches.flatMap((branch) => boundaryValues(branch, resolve));
  const minLength = num(schema['minLength']);
  const maxLength = num(schema['maxLength']);
  switch (schema['type']) {
    case 'string':
      return [
        '', ...(minLength !== undefined ? ['a'.repeat(minLength), 'a'.repeat(Math.max(0, minLength - 1))] : []),
        ...(maxLength !== undefined ? ['b'.repeat(maxLength), 'b'.repeat(maxLength + 1), 'é'.repeat(maxLength), '😀'.repeat(maxLength)] : []),
      ];
    case 'integer':
    case 'number':
      return [
        0, -1, 1, 0.5, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 53 + 2, 2 ** 31, -(2 ** 31) - 1, 1e308, -1e308, 5e-324,
        ...[num(schema['minimum']), num(schema['maximum'])].filter((n): n is number => n !== undefined).flatMap((n) => [n, n - 1, n + 1]),
      ];
    case 'array':
      return [[], ...(num(schema['maxItems']) !== undefined ? [Array.from({ length: (num(schema['maxItems']) ?? 0) + 1 }, () => null)] : [])];
    case 'object':
      return [{}];
    default:
      return [null, '', 0, [], {}];
  }
}
