import type { JsonValue } from '@trellis/kernel/io';
import { WORKFLOW_SHAPE, type FieldSpec, type ObjectShape } from './document-shape.js';

type JsonObject = { readonly [key: string]: JsonValue };

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

function orderObject(value: JsonObject, shape: ObjectShape): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const field of shape.fields) {
    const item = value[field.name];
    if (item !== undefined) out[field.name] = orderBySpec(item, field.spec);
  }
  // Unknown fields (each one a problem) stay, after the known ones, so a draft loses nothing.
  for (const [key, item] of Object.entries(value)) if (!(key in out)) out[key] = item;
  return out;
}

function orderBySpec(value: JsonValue, spec: FieldSpec): JsonValue {
  switch (spec.kind) {
    case 'object':
      return isObject(value) ? orderObject(value, spec.shape) : value;
    case 'variants': {
      if (!isObject(value)) return value;
      const tag = value[spec.discriminator];
      const shape = typeof tag === 'string' ? spec.variants[tag] : undefined;
      return shape ? orderObject(value, shape) : value;
    }
    case 'list':
      return Array.isArray(value) ? value.map((item) => orderBySpec(item, spec.of)) : value;
    case 'map':
      // Names keep the author's order: it is how they read them.
      return isObject(value) ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, orderBySpec(item, spec.of)])) : value;
    default:
      return value;
  }
}

/**
 * The document with its keys in the format's order (docs/workflows.md): what is stored, exported
 * and checksummed, so the same workflow always gives the same bytes.
 */
export function canonicalDocument(raw: JsonValue): JsonValue {
  return isObject(raw) ? orderObject(raw, WORKFLOW_SHAPE) : raw;
}
