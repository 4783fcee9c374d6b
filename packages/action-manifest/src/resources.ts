import type { Resources } from './definition.js';
import { parseCpu, parseDuration, parseMemory, type Parsed } from './units.js';
import { asMap, fieldsOf, nodeOf, scalarValue, type Field, type Source } from './yaml-source.js';
import type { ProblemCode } from './problem.js';

/** `resources: { cpu, memory, timeout }` of a trellis.yaml. */
export function readResources(source: Source, field: Field | undefined, allowed: readonly string[]): Resources | undefined {
  if (field === undefined || field.value === null) return {};
  const map = asMap(source, field.value, '"resources"');
  if (map === undefined) return undefined;
  const fields = fieldsOf(source, map, allowed, '"resources"');
  const before = source.problems.length;
  const cpu = readQuantity(source, fields.get('cpu'), parseCpu, 'bad_cpu');
  const memoryBytes = readQuantity(source, fields.get('memory'), parseMemory, 'bad_memory');
  const timeoutMs = readQuantity(source, fields.get('timeout'), parseDuration, 'bad_timeout');
  if (source.problems.length > before) return undefined;
  return {
    ...(cpu === undefined ? {} : { cpu }),
    ...(memoryBytes === undefined ? {} : { memoryBytes }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
}

export function readQuantity(source: Source, field: Field | undefined, parse: (value: unknown) => Parsed, code: ProblemCode): number | undefined {
  if (field === undefined) return undefined;
  const parsed = parse(scalarValue(field.value));
  if (parsed.ok) return parsed.value;
  source.report(nodeOf(field), code, parsed.message);
  return undefined;
}
