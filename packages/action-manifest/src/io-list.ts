import { isCollection, isScalar, type Node } from 'yaml';
import { IO_TYPES, type InjectedValue, type IoDefinition, type IoType, type JsonValue } from './definition.js';
import { didYouMean } from './suggest.js';
import { asMap, asSeq, fieldsOf, nodeOf, readBoolean, readString, scalarValue, type Field, type Source } from './yaml-source.js';

/** How one manifest format spells an input or output (trellis.yaml and ryax_metadata.yaml differ). */
export type IoDialect = {
  /** Fields an item may have. */
  readonly fields: readonly string[];
  readonly valuesKey: string;
  readonly defaultKey: string;
  /** A display name used as help when help is missing (Ryax `human_name`). */
  readonly labelKey?: string;
  /** The declared type onto a Trellis I/O type, or a message saying why it cannot be. */
  readonly mapType: (raw: string) => IoType | { readonly message: string };
  /** Whether file, directory and password inputs may have a default (Ryax's `default_value` may). */
  readonly defaultOnEveryType?: boolean;
  /** Whether the platform sets this input (see InjectedValue), or why a declared one cannot be. */
  readonly injected?: (name: string, type: IoType) => InjectedValue | { readonly message: string } | undefined;
};

export const IO_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/;
const NO_DEFAULT: readonly IoType[] = ['file', 'directory', 'password'];

/** Trellis types map onto themselves. */
export function trellisIoType(raw: string): IoType | { readonly message: string } {
  const type = IO_TYPES.find((candidate) => candidate === raw);
  return type ?? { message: `unknown type "${raw}"${didYouMean(raw, IO_TYPES)}; expected one of: ${IO_TYPES.join(', ')}` };
}

/** Reads `inputs:` or `outputs:`; undefined when any item has a problem (all of them are reported). */
export function readIoList(source: Source, field: Field | undefined, direction: 'input' | 'output', dialect: IoDialect): IoDefinition[] | undefined {
  if (field === undefined || field.value === null) return [];
  const seq = asSeq(source, field, `${direction}s`);
  if (seq === undefined) return undefined;
  const seen = new Map<string, number>();
  const items: IoDefinition[] = [];
  let ok = true;
  (seq.items as (Node | null)[]).forEach((node, index) => {
    const before = source.problems.length;
    const item = readIo(source, node, `${direction} ${index + 1}`, dialect, seen);
    if (item === undefined || source.problems.length > before) ok = false;
    else items.push(item);
  });
  return ok ? items : undefined;
}

function readIo(source: Source, node: Node | null, where: string, dialect: IoDialect, seen: Map<string, number>): IoDefinition | undefined {
  const map = asMap(source, node, where);
  if (map === undefined) return undefined;
  const fields = fieldsOf(source, map, dialect.fields, where);
  const name = readName(source, fields.get('name'), map, where, seen);
  const label = name === undefined ? where : `${where.split(' ')[0] ?? where} "${name}"`;
  const type = readType(source, fields.get('type'), map, label, dialect);
  const help = readString(source, fields.get('help'), `"help" of ${label}`) ?? readLabel(source, fields, label, dialect);
  const optional = readBoolean(source, fields.get('optional'), `"optional" of ${label}`) ?? false;
  const values = readValues(source, fields.get(dialect.valuesKey), type, map, label, dialect);
  const defaultValue = readDefault(source, fields.get(dialect.defaultKey), type, values, label, dialect);
  if (name === undefined || type === undefined) return undefined;
  const injected = dialect.injected?.(name, type);
  if (typeof injected === 'object') {
    const typeField = fields.get('type');
    source.report(typeField === undefined ? map : nodeOf(typeField), 'bad_injected_input', `${injected.message} (${label})`);
    return undefined;
  }
  return {
    name,
    type,
    help: help ?? '',
    optional,
    ...(values === undefined ? {} : { values }),
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
    ...(injected === undefined ? {} : { injected }),
  };
}

function readLabel(source: Source, fields: Map<string, Field>, label: string, dialect: IoDialect): string | undefined {
  return dialect.labelKey === undefined ? undefined : readString(source, fields.get(dialect.labelKey), `"${dialect.labelKey}" of ${label}`);
}

function readName(source: Source, field: Field | undefined, map: Node, where: string, seen: Map<string, number>): string | undefined {
  if (field === undefined) {
    source.report(map, 'missing_field', `${where} has no "name"`);
    return undefined;
  }
  const name = readString(source, field, `"name" of ${where}`);
  if (name === undefined) return undefined;
  if (!IO_NAME.test(name)) {
    source.report(nodeOf(field), 'bad_io_name', `bad name "${name}" for ${where}; expected a letter or _ then letters, digits or _ (at most 64 characters)`);
    return undefined;
  }
  const first = seen.get(name);
  const kind = where.split(' ')[0] ?? where;
  if (first !== undefined) {
    source.report(nodeOf(field), 'duplicate_io_name', `duplicate ${kind} name "${name}" (first declared at line ${first}); names must be unique`);
    return undefined;
  }
  seen.set(name, source.positionOf(nodeOf(field)).line);
  return name;
}

function readType(source: Source, field: Field | undefined, map: Node, label: string, dialect: IoDialect): IoType | undefined {
  if (field === undefined) {
    source.report(map, 'missing_field', `${label} has no "type"; expected one of: ${IO_TYPES.join(', ')}`);
    return undefined;
  }
  const raw = readString(source, field, `"type" of ${label}`);
  if (raw === undefined) return undefined;
  const type = dialect.mapType(raw);
  if (typeof type === 'string') return type;
  source.report(nodeOf(field), 'bad_io_type', `${type.message} (${label})`);
  return undefined;
}

function readValues(source: Source, field: Field | undefined, type: IoType | undefined, map: Node, label: string, dialect: IoDialect): string[] | undefined {
  const key = dialect.valuesKey;
  if (type !== 'enum') {
    if (field !== undefined && type !== undefined) {
      source.report(field.key, 'values_not_allowed', `"${key}" is only for type enum, but ${label} is ${type}; remove it or make the type enum`);
    }
    return undefined;
  }
  const seq = field === undefined ? undefined : asSeq(source, field, `"${key}" of ${label}`);
  if (field === undefined || (seq !== undefined && seq.items.length === 0)) {
    source.report(field === undefined ? map : nodeOf(field), 'enum_without_values', `${label} is an enum but has no "${key}"; list the allowed values, e.g. ${key}: [png, jpeg]`);
    return undefined;
  }
  if (seq === undefined) return undefined;
  const values: string[] = [];
  for (const item of seq.items as (Node | null)[]) {
    const value = scalarValue(item);
    if (typeof value !== 'string') {
      const hint = value === undefined || value === null ? '' : ` (got ${String(value)}; quote it)`;
      source.report(item ?? nodeOf(field), 'wrong_type', `every value of ${label} must be a string${hint}`);
    } else if (values.includes(value)) {
      source.report(item, 'duplicate_enum_value', `value "${value}" appears twice in ${label}; enum values must be unique`);
    } else values.push(value);
  }
  return values;
}

function readDefault(source: Source, field: Field | undefined, type: IoType | undefined, values: string[] | undefined, label: string, dialect: IoDialect): JsonValue | undefined {
  if (field === undefined || type === undefined) return undefined;
  if (NO_DEFAULT.includes(type) && dialect.defaultOnEveryType !== true) {
    source.report(field.key, 'default_not_allowed', `${label} is of type ${type}, which cannot have a default; remove "${field.name}"`);
    return undefined;
  }
  const node = field.value;
  if (type === 'json') return isCollection(node) || isScalar(node) ? (node.toJSON() as JsonValue) : null;
  const value = scalarValue(node);
  const expected = expectedDefault(type, values);
  if (matchesType(type, value, values)) return value as JsonValue;
  const shown = typeof value === 'string' ? `"${value}"` : isScalar(node) ? String(value) : 'a list or mapping';
  source.report(nodeOf(field), 'bad_default', `default of ${label} must be ${expected}, got ${shown}`);
  return undefined;
}

function matchesType(type: IoType, value: unknown, values: string[] | undefined): boolean {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
    case 'longstring':
    case 'password':
    case 'file':
    case 'directory':
      return typeof value === 'string';
    case 'enum':
      return typeof value === 'string' && (values === undefined || values.includes(value));
    default:
      return true;
  }
}

function expectedDefault(type: IoType, values: string[] | undefined): string {
  switch (type) {
    case 'integer':
      return 'a whole number';
    case 'float':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of its values (${(values ?? []).join(', ')})`;
    default:
      return 'a string';
  }
}
