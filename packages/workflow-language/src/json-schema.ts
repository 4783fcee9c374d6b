import { WORKFLOW_SHAPE, type FieldSpec, type ObjectShape } from './document-shape.js';
import { MAX_CPU, MAX_MEMORY_BYTES } from './resources.js';

type Schema = Record<string, unknown>;

function patternOf(regex: RegExp): string {
  return regex.source;
}

/** What readCpu and readMemory accept (resources.ts), as far as a schema can say it. */
const QUANTITY_SCHEMAS: Record<'cpu' | 'memory', Schema> = {
  cpu: { anyOf: [{ type: 'number', exclusiveMinimum: 0, maximum: MAX_CPU }, { type: 'string', pattern: '^([0-9]*[1-9][0-9]*m|[0-9]+(\\.[0-9]+)?)$' }] },
  memory: { anyOf: [{ type: 'integer', exclusiveMinimum: 0, maximum: MAX_MEMORY_BYTES }, { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|K|M|G|T)?$' }] },
};

function schemaOfSpec(spec: FieldSpec): Schema {
  switch (spec.kind) {
    case 'string':
      return {
        type: 'string',
        ...(spec.oneOf ? { enum: [...spec.oneOf] } : {}),
        ...(spec.pattern ? { pattern: patternOf(spec.pattern) } : {}),
        ...(spec.maxLength !== undefined ? { maxLength: spec.maxLength } : {}),
      };
    case 'integer':
      return { type: 'integer', minimum: spec.min, maximum: spec.max };
    case 'boolean':
      return { type: 'boolean' };
    case 'duration':
      return { anyOf: [{ type: 'string', pattern: '^(0|([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+)$' }, { const: 0 }], description: 'e.g. 500ms, 30s, 1m30s, 2h, 1d, or 0' };
    case 'quantity':
      return QUANTITY_SCHEMAS[spec.of];
    case 'value':
      return {};
    case 'object':
      return schemaOfShape(spec.shape);
    case 'list':
      return { type: 'array', items: schemaOfSpec(spec.of), maxItems: spec.maxItems };
    case 'map':
      return { type: 'object', propertyNames: { pattern: patternOf(spec.keyPattern) }, additionalProperties: schemaOfSpec(spec.of), maxProperties: spec.maxItems };
    case 'variants':
      return {
        type: 'object',
        required: [spec.discriminator],
        properties: { [spec.discriminator]: { enum: Object.keys(spec.variants) } },
        oneOf: Object.entries(spec.variants).map(([tag, shape]) => {
          const variant = schemaOfShape(shape);
          return { ...variant, properties: { ...(variant['properties'] as Schema), [spec.discriminator]: { const: tag } } };
        }),
      };
  }
}

function schemaOfShape(shape: ObjectShape): Schema {
  const required = shape.fields.filter((field) => field.required).map((field) => field.name);
  return {
    type: 'object',
    title: shape.title,
    properties: Object.fromEntries(shape.fields.map((field) => [field.name, {
      ...schemaOfSpec(field.spec), description: field.description, ...(field.default !== undefined ? { default: field.default } : {}),
    }])),
    ...(required.length > 0 ? { required } : {}),
    ...(shape.exactlyOne ? { oneOf: shape.exactlyOne.map((name) => ({ required: [name] })) } : {}),
    additionalProperties: false,
  };
}

/** The JSON Schema of the workflow document (docs/workflow.schema.json), made from the shape the reader checks. */
export function workflowJsonSchema(): Schema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://trellis.dev/schemas/workflow.schema.json',
    description: 'A Trellis workflow (docs/workflows.md). Expressions ${{ }} and references are checked by Trellis, not by this schema.',
    ...schemaOfShape(WORKFLOW_SHAPE),
  };
}
