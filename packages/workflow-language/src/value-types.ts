// The types a workflow's values carry before run time, and the one rule of what may fill an input.
// Studio checks a workflow with it; the runner relies on the same answers.
import type { JsonValue } from '@trellis/kernel/io';

export type IoType = 'string' | 'longstring' | 'password' | 'integer' | 'float' | 'boolean' | 'enum' | 'json' | 'file' | 'directory';

export const IO_TYPES: readonly IoType[] = ['string', 'longstring', 'password', 'integer', 'float', 'boolean', 'enum', 'json', 'file', 'directory'];

export function isIoType(v: unknown): v is IoType {
  return typeof v === 'string' && (IO_TYPES as readonly string[]).includes(v);
}

/** What a reference, literal or expression is known to carry before run time. */
export type ValueType =
  | { readonly kind: 'io'; readonly type: IoType; readonly values?: readonly string[] } // values: enum's allowed values
  | { readonly kind: 'list'; readonly of: ValueType }
  | { readonly kind: 'any' } // unknown until run time: members of json, items of a json list
  | { readonly kind: 'null' };

export const ANY: ValueType = { kind: 'any' };
export const NULL: ValueType = { kind: 'null' };

export const io = (type: IoType, values?: readonly string[]): ValueType => (values === undefined ? { kind: 'io', type } : { kind: 'io', type, values });

export const listOf = (of: ValueType): ValueType => ({ kind: 'list', of });

/** 'integer', 'list of integer', 'any value', 'null', 'enum (a, b)'. */
export function describeType(t: ValueType): string {
  switch (t.kind) {
    case 'io':
      return t.type === 'enum' && t.values !== undefined ? `enum (${t.values.join(', ')})` : t.type;
    case 'list':
      return `list of ${describeType(t.of)}`;
    case 'any':
      return 'any value';
    case 'null':
      return 'null';
  }
}

/** An input, as far as filling it is concerned. */
export type Target = { readonly type: IoType; readonly values?: readonly string[] };

export type Fit = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const OK: Fit = { ok: true };
const refuse = (reason: string): Fit => ({ ok: false, reason });

const TEXT: readonly IoType[] = ['string', 'longstring', 'password'];
const isText = (type: IoType) => TEXT.includes(type);

/** 'an integer', 'a list of float', 'any value'. */
function withArticle(t: ValueType): string {
  const text = describeType(t);
  if (t.kind === 'any' || t.kind === 'null') return text;
  return /^[aeiou]/.test(text) ? `an ${text}` : `a ${text}`;
}

const input = (to: Target) => `${/^[aeiou]/.test(to.type) ? 'an' : 'a'} ${to.type} input`;

/**
 * May a value of type `from` (a reference or expression) fill an input `to`?
 *
 * | from                          | fills                                                          |
 * |-------------------------------|----------------------------------------------------------------|
 * | any                           | anything (checked at run time)                                  |
 * | null                          | anything (the caller deals with required inputs)               |
 * | the input's own type          | it (an enum: when every value it may hold is allowed)           |
 * | integer                       | float                                                          |
 * | string, longstring, password  | each other                                                     |
 * | anything but file, directory  | string and longstring (written as text at run time), json      |
 * | file                          | file only                                                      |
 * | directory                     | directory only                                                 |
 *
 * Everything else is refused, with a reason for the user: float -> integer ("a float may have a
 * fraction"), string -> enum (a string may hold any text), non-text -> password, a list -> anything
 * but json, string and longstring.
 */
export function assignable(from: ValueType, to: Target): Fit {
  if (from.kind === 'any' || from.kind === 'null') return OK;
  const target = input(to);
  if (from.kind === 'list') {
    if (to.type === 'json' || to.type === 'string' || to.type === 'longstring') return OK;
    return refuse(`${withArticle(from)} cannot fill ${target}: a list fills only a json, string or longstring input`);
  }
  const source = from.type;
  if (source === 'file' || source === 'directory') {
    if (to.type === source) return OK;
    return refuse(`${withArticle(from)} fills only a ${source} input, not ${target}`);
  }
  switch (to.type) {
    case 'file':
    case 'directory':
      return refuse(`${target} takes only a ${to.type}, not ${withArticle(from)}`);
    case 'json':
    case 'string':
    case 'longstring':
      return OK;
    case 'password':
      return isText(source) ? OK : refuse(`a password input takes only text (string, longstring or password), not ${withArticle(from)}`);
    case 'integer':
      if (source === 'integer') return OK;
      if (source === 'float') return refuse('a float may have a fraction; an integer input cannot take it');
      return refuse(`${withArticle(from)} cannot fill an integer input`);
    case 'float':
      return source === 'float' || source === 'integer' ? OK : refuse(`${withArticle(from)} cannot fill a float input: it takes a float or an integer`);
    case 'boolean':
      return source === 'boolean' ? OK : refuse(`${withArticle(from)} cannot fill a boolean input`);
    case 'enum':
      return enumFits(from, to);
  }
}

function enumFits(from: ValueType & { kind: 'io' }, to: Target): Fit {
  const allowed = to.values === undefined ? 'any value' : to.values.join(', ');
  if (from.type !== 'enum') {
    if (isText(from.type)) return refuse(`a ${from.type} may hold any text; an enum input takes only ${allowed}`);
    return refuse(`${withArticle(from)} cannot fill an enum input (${allowed})`);
  }
  if (to.values === undefined) return OK;
  if (from.values === undefined) return refuse(`an enum whose values are not known cannot fill an enum input that takes only ${allowed}`);
  const extra = from.values.filter((value) => !to.values?.includes(value));
  if (extra.length === 0) return OK;
  return refuse(`the enum may hold ${extra.map((v) => `'${v}'`).join(', ')}, which the input does not allow (${allowed})`);
}

/** The shape a file or directory input's static value must have: an uploaded file's id. */
const FILE_SHAPE = '{ "file": "<id of an uploaded file>" }';

/**
 * Does this static JSON value fit input `to`? Null means "no value" and is the caller's business
 * (a required input): it fits. A file or directory is given as `{ "file": "<id>" }`, the id of an
 * uploaded file.
 */
export function staticFits(value: JsonValue, to: Target): Fit {
  if (value === null) return OK;
  const given = describeValue(value);
  switch (to.type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? OK : refuse(`an integer input needs a whole number, not ${given}`);
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) ? OK : refuse(`a float input needs a number, not ${given}`);
    case 'boolean':
      return typeof value === 'boolean' ? OK : refuse(`a boolean input needs true or false, not ${given}`);
    case 'string':
    case 'longstring':
    case 'password':
      return typeof value === 'string' ? OK : refuse(`${input(to)} needs a string, not ${given}`);
    case 'enum':
      if (typeof value !== 'string') return refuse(`an enum input needs one of its values as a string, not ${given}`);
      if (to.values === undefined || to.values.includes(value)) return OK;
      return refuse(`'${value}' is not one of the enum's values (${to.values.join(', ')})`);
    case 'json':
      return OK;
    case 'file':
    case 'directory':
      return isFileValue(value) ? OK : refuse(`${input(to)} takes an uploaded file as ${FILE_SHAPE}, not ${given}`);
  }
}

function isFileValue(value: JsonValue): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && typeof value['file'] === 'string' && value['file'] !== '';
}

/** 'the number 1.5', 'a list', 'an object', 'the string "x"' (for reasons shown to users). */
function describeValue(value: JsonValue): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  return 'an object';
}

/** The type of a JSON value written in a workflow. */
export function typeOfLiteral(value: JsonValue): ValueType {
  if (value === null) return NULL;
  if (Array.isArray(value)) {
    const [first, ...rest] = value.map(typeOfLiteral);
    return listOf(first === undefined ? ANY : rest.reduce(commonType, first));
  }
  if (typeof value === 'boolean') return io('boolean');
  if (typeof value === 'number') return io(Number.isInteger(value) ? 'integer' : 'float');
  if (typeof value === 'string') return io('string');
  return io('json');
}

/**
 * One type for two values that may both end up in the same place (the two branches of `?:`, the
 * items of a list): the same type; float for integer and float; the other for null; string for two
 * kinds of text; an enum with both enums' values; a list of their common item type; otherwise any.
 */
export function commonType(a: ValueType, b: ValueType): ValueType {
  if (a.kind === 'null') return b;
  if (b.kind === 'null') return a;
  if (a.kind === 'list' && b.kind === 'list') return listOf(commonType(a.of, b.of));
  if (a.kind !== 'io' || b.kind !== 'io') return ANY;
  if (a.type === 'enum' && b.type === 'enum') {
    if (a.values === undefined || b.values === undefined) return io('enum');
    return io('enum', [...a.values, ...b.values.filter((v) => !a.values?.includes(v))]);
  }
  if (a.type === b.type) return a;
  const numbers: readonly IoType[] = ['integer', 'float'];
  if (numbers.includes(a.type) && numbers.includes(b.type)) return io('float');
  const texts: readonly IoType[] = [...TEXT, 'enum'];
  if (texts.includes(a.type) && texts.includes(b.type)) return io('string');
  return ANY;
}
