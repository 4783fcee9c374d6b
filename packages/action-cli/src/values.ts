import type { JsonValue } from '@trellis/action-manifest/definition';
import type * as pb from '@trellis/action-wrapper/infrastructure/pb/action/v1/action';
import type { LocalInput } from './inputs.js';

/** A typed command-line value as the wire carries it. */
export function toValue(input: Extract<LocalInput, { kind: 'value' }>): pb.Value {
  const { type, value } = input;
  switch (type) {
    case 'string':
      return { kind: { $case: 'stringValue', stringValue: String(value) } };
    case 'longstring':
      return { kind: { $case: 'longstringValue', longstringValue: String(value) } };
    case 'password':
      return { kind: { $case: 'passwordValue', passwordValue: String(value) } };
    case 'enum':
      return { kind: { $case: 'enumValue', enumValue: String(value) } };
    case 'integer':
      return { kind: { $case: 'integerValue', integerValue: String(value) } };
    case 'float':
      return { kind: { $case: 'floatValue', floatValue: Number(value) } };
    case 'boolean':
      return { kind: { $case: 'booleanValue', booleanValue: value === true } };
    case 'json':
      return { kind: { $case: 'jsonValue', jsonValue: JSON.stringify(value) } };
    case 'file':
    case 'directory':
      throw new Error(`${input.name}: files and directories travel by URL`);
  }
}

/** A wire value as the author reads it: integers as numbers, JSON parsed, files and directories by URL. */
export function fromValue(value: pb.Value | undefined): JsonValue | undefined {
  const kind = value?.kind;
  if (!kind) return undefined;
  switch (kind.$case) {
    case 'integerValue':
      return Number(kind.integerValue);
    case 'jsonValue':
      return JSON.parse(kind.jsonValue) as JsonValue;
    case 'fileValue':
      return kind.fileValue.url;
    case 'directoryValue':
      return kind.directoryValue.url;
    default:
      return (kind as Record<string, JsonValue>)[kind.$case] ?? null;
  }
}
