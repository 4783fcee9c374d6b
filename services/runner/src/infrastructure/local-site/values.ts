// ActionValues (JSON by declared type) <-> the contract's Value oneof, by the action's declared I/O types.
import type { IoSpec, JsonValue } from '@trellis/kernel/io';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import type { ActionValues } from '../../application/site.js';
import type * as pb from '../pb/action/v1/action.js';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One value to the wire, or why it does not fit its declared type. */
export function pbValueOf(io: IoSpec, value: JsonValue): Result<pb.Value, string> {
  const wrong = (expected: string) => rejected(`input '${io.name}' is declared ${io.type} and takes ${expected}; got ${JSON.stringify(value)?.slice(0, 80)}`);
  switch (io.type) {
    case 'string':
      return typeof value === 'string' ? ok({ kind: { $case: 'stringValue', stringValue: value } }) : wrong('a string');
    case 'longstring':
      return typeof value === 'string' ? ok({ kind: { $case: 'longstringValue', longstringValue: value } }) : wrong('a string');
    case 'password':
      // Never echo a secret in a message.
      return typeof value === 'string' ? ok({ kind: { $case: 'passwordValue', passwordValue: value } }) : rejected(`input '${io.name}' is declared password and takes a string`);
    case 'enum':
      if (typeof value !== 'string') return wrong(`one of ${(io.values ?? []).join(', ')}`);
      if (!(io.values ?? []).includes(value)) return wrong(`one of ${(io.values ?? []).join(', ')}`);
      return ok({ kind: { $case: 'enumValue', enumValue: value } });
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) ? ok({ kind: { $case: 'integerValue', integerValue: String(value) } }) : wrong('a whole number within ±2^53');
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) ? ok({ kind: { $case: 'floatValue', floatValue: value } }) : wrong('a finite number');
    case 'boolean':
      return typeof value === 'boolean' ? ok({ kind: { $case: 'booleanValue', booleanValue: value } }) : wrong('true or false');
    case 'json':
      return ok({ kind: { $case: 'jsonValue', jsonValue: JSON.stringify(value) } });
    case 'file':
      if (!isRecord(value) || typeof value['url'] !== 'string' || value['url'] === '') return wrong('{url, name, size}');
      return ok({ kind: { $case: 'fileValue', fileValue: { url: value['url'], name: typeof value['name'] === 'string' ? value['name'] : '', sizeBytes: '0' } } });
    case 'directory':
      if (!isRecord(value) || typeof value['url'] !== 'string' || value['url'] === '') return wrong('{url, name, size}');
      return ok({ kind: { $case: 'directoryValue', directoryValue: { url: value['url'], sizeBytes: '0' } } });
    default:
      return rejected(`input '${io.name}' has the unknown type ${io.type}`);
  }
}

/** Inputs to the wire: every value checked against its declaration before the call (absent and null optional ones left out). */
export function encodeInputs(specs: readonly IoSpec[], values: ActionValues): Result<Record<string, pb.Value>, string> {
  const byName = new Map(specs.map((io) => [io.name, io]));
  const problems: string[] = [];
  const encoded: Record<string, pb.Value> = {};
  for (const [name, value] of Object.entries(values)) {
    const io = byName.get(name);
    if (io === undefined) {
      problems.push(`unknown input '${name}'`);
      continue;
    }
    if (value === null && io.type !== 'json') {
      if (!io.optional) problems.push(`input '${name}' (${io.type}) is required and cannot be null`);
      continue;
    }
    const wire = pbValueOf(io, value);
    if (wire.ok) encoded[name] = wire.value;
    else problems.push(wire.error);
  }
  return problems.length === 0 ? ok(encoded) : rejected(problems.join('; '));
}

/** One value from the wire as JSON, or why it does not match the declared type. */
export function jsonValueOf(io: IoSpec, value: pb.Value): Result<JsonValue, string> {
  const kind = value.kind;
  const mismatch = () => rejected(`output '${io.name}' is declared ${io.type} but the action answered ${kind?.$case ?? 'no value'}`);
  switch (kind?.$case) {
    case 'stringValue':
      return io.type === 'string' ? ok(kind.stringValue) : mismatch();
    case 'longstringValue':
      return io.type === 'longstring' ? ok(kind.longstringValue) : mismatch();
    case 'passwordValue':
      return io.type === 'password' ? ok(kind.passwordValue) : mismatch();
    case 'enumValue':
      return io.type === 'enum' ? ok(kind.enumValue) : mismatch();
    case 'integerValue': {
      if (io.type !== 'integer') return mismatch();
      const n = Number(kind.integerValue);
      return Number.isSafeInteger(n) ? ok(n) : rejected(`output '${io.name}' (integer) ${kind.integerValue} is outside ±2^53`);
    }
    case 'floatValue':
      return io.type === 'float' ? ok(kind.floatValue) : mismatch();
    case 'booleanValue':
      return io.type === 'boolean' ? ok(kind.booleanValue) : mismatch();
    case 'jsonValue': {
      if (io.type !== 'json') return mismatch();
      try {
        return ok(JSON.parse(kind.jsonValue) as JsonValue);
      } catch {
        return rejected(`output '${io.name}' (json) is not valid JSON`);
      }
    }
    case 'fileValue':
      return io.type === 'file' ? ok({ url: kind.fileValue.url, name: kind.fileValue.name, size: Number(kind.fileValue.sizeBytes) }) : mismatch();
    case 'directoryValue':
      return io.type === 'directory' ? ok({ url: kind.directoryValue.url, name: io.name, size: Number(kind.directoryValue.sizeBytes) }) : mismatch();
    case undefined:
      return mismatch();
  }
}

/** Outputs from the wire, checked against the declaration: every required one present, none unknown. */
export function decodeOutputs(specs: readonly IoSpec[], values: Readonly<Record<string, pb.Value>>): Result<ActionValues, string> {
  const problems: string[] = [];
  const decoded: Record<string, JsonValue> = {};
  const byName = new Map(specs.map((io) => [io.name, io]));
  for (const [name, value] of Object.entries(values)) {
    const io = byName.get(name);
    if (io === undefined) {
      problems.push(`the action answered the unknown output '${name}'`);
      continue;
    }
    const json = jsonValueOf(io, value);
    if (json.ok) decoded[name] = json.value;
    else problems.push(json.error);
  }
  for (const io of specs) if (!io.optional && !(io.name in values)) problems.push(`output '${io.name}' (${io.type}) is missing`);
  return problems.length === 0 ? ok(decoded) : rejected(problems.join('; '));
}
