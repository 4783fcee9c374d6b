// The expression language of workflows: what goes inside `${{ }}` and into conditions.
//
// Grammar. Literals: numbers (`-1` and `1.5e3` too), 'single' and "double" quoted strings, true,
// false, null, lists `[1, 2]`. References: a root (trigger, steps, item, vars, secrets, failure)
// followed by members `.name`, `['any name']` and `[0]`; `steps.<step id>` must be followed by an
// output name. Names may contain `-` after their first character, so `steps.undo-s2.n` is one
// reference, while `-1` stays a negative number (there is no subtraction to confuse it with).
// Operators, from the loosest: `a ? b : c`; `or` `||`; `and` `&&`; `==` `!=`; `<` `<=` `>` `>=`
// `in`; `not` `!` (which binds tighter than comparisons, as in JavaScript: write `not (a in b)`);
// parentheses group. Everything else — calls, arithmetic, `this`, several expressions `a, b`,
// assignment, member access on anything but a reference, computed members `a[b]`, unknown names —
// is refused with a message and the index where it starts.
//
// Evaluation (ours: we walk our own tree, nothing is ever run as JavaScript):
// - `==` and `!=` compare JSON values deeply (a list or an object by its items; object key order
//   does not matter; 1 and 1.0 are equal); values of different kinds are simply not equal.
// - `<` `<=` `>` `>=` order two numbers or two strings (by UTF-16 code units); anything else is a
//   type_error.
// - `and`, `or`, `not` and the test of `?:` take only true or false (there is no truthiness: 0, ''
//   or null are type_errors). `and` and `or` stop at the first operand that decides; `?:` evaluates
//   only the branch it takes.
// - `needle in haystack`: membership (deep equality) when the haystack is a list, substring when it
//   is a string (then the needle must be a string); anything else is a type_error.
// - A reference the caller cannot resolve is reference_missing. Members of a JSON value are read by
//   name (objects) or index (lists) with `valueAt`, which resolvers use.
//
// jsep parses; its configuration is global, so all of it lives here, in one plugin.
import type { JsonValue } from '@trellis/kernel/io';
import jsep from 'jsep';
import { ANY, commonType, describeType, io, listOf, typeOfLiteral, type ValueType } from './value-types.js';

export const REFERENCE_ROOTS = ['trigger', 'steps', 'item', 'vars', 'secrets', 'failure'] as const;
export type ReferenceRoot = (typeof REFERENCE_ROOTS)[number];

export type Path = readonly (string | number)[];

/**
 * A reference to a value; `path` excludes the root. Positions are offsets in the text the
 * expression was written in: its source, or the string holding a `${{ }}` template.
 */
export type Reference = { readonly root: ReferenceRoot; readonly path: Path; readonly start: number; readonly end: number };

/** Where a node is, with the same offsets as a reference's. */
export type Span = { readonly start: number; readonly end: number };

export type Node = Span &
  (
    | { readonly type: 'literal'; readonly value: string | number | boolean | null }
    | { readonly type: 'reference'; readonly reference: Reference }
    | { readonly type: 'not'; readonly argument: Node }
    | { readonly type: 'logical'; readonly operator: 'and' | 'or'; readonly left: Node; readonly right: Node }
    | { readonly type: 'compare'; readonly operator: '==' | '!=' | '<' | '<=' | '>' | '>='; readonly left: Node; readonly right: Node }
    | { readonly type: 'in'; readonly needle: Node; readonly haystack: Node }
    | { readonly type: 'conditional'; readonly test: Node; readonly consequent: Node; readonly alternate: Node }
    | { readonly type: 'list'; readonly elements: readonly Node[] }
  );

export type Expression = { readonly source: string; readonly root: Node };
export type ExpressionError = { readonly message: string; readonly index: number };

export function parseExpression(source: string): { ok: true; expression: Expression } | { ok: false; error: ExpressionError } {
  return parseAt(source, 0);
}

/**
 * Parse `source`, which starts at `offset` in a larger text (a template's string): every position,
 * in the tree and in the error, is an offset in that larger text.
 */
export function parseAt(source: string, offset: number): { ok: true; expression: Expression } | { ok: false; error: ExpressionError } {
  let raw: jsep.Expression;
  try {
    raw = jsep(source);
  } catch (error) {
    const { description, index } = error as { description?: unknown; index?: unknown };
    if (typeof description !== 'string' || typeof index !== 'number') throw error;
    return { ok: false, error: { message: description, index: offset + index } };
  }
  const errors: ExpressionError[] = [];
  const root = convert(raw, source, errors);
  const whole = spanOf(raw);
  const first = skipSpaces(source, 0);
  if (first === source.length) errors.push({ message: 'the expression is empty', index: 0 });
  else if (whole.start > first) errors.push({ message: `unexpected "${source[first]}"`, index: first });
  else if (whole.end < source.trimEnd().length) {
    const at = skipSpaces(source, whole.end);
    errors.push({ message: `unexpected "${source[at]}": write one expression`, index: at });
  }
  if (errors.length > 0) {
    const error = errors.reduce((a, b) => (b.index < a.index ? b : a));
    return { ok: false, error: { message: error.message, index: offset + error.index } };
  }
  return { ok: true, expression: { source, root: offset === 0 ? root : shift(root, offset) } };
}

// ---------------------------------------------------------------------------------------------
// jsep configuration: word operators, and a token hook that reads references (names with dashes),
// literals and numbers itself and remembers where every token starts and ends.

const REFERENCE = 'TrellisReference';
type RawReference = { type: typeof REFERENCE; root: ReferenceRoot; path: (string | number)[]; start: number; end: number };

/** Start offsets of the tokens being read, per parser instance (hooks run with the instance as `this`). */
const tokenStarts = new WeakMap<object, number[]>();
/** Where each raw node was read (a parenthesised group spans its parentheses). */
const spans = new WeakMap<object, Span>();

const isNameStart = (ch: string) => /^[A-Za-z_]$/.test(ch);
const isNamePart = (ch: string) => /^[A-Za-z0-9_-]$/.test(ch);

function readName(text: string, at: number): string {
  if (!isNameStart(text.charAt(at))) return '';
  let end = at + 1;
  while (end < text.length && isNamePart(text.charAt(end))) end++;
  return text.slice(at, end);
}

const LITERALS: Record<string, boolean | null> = { true: true, false: false, null: null };
const isRoot = (name: string): name is ReferenceRoot => (REFERENCE_ROOTS as readonly string[]).includes(name);

function gobbleToken(this: jsep.HookScope, env: { node?: jsep.Expression }): void {
  const stack = tokenStarts.get(this) ?? [];
  tokenStarts.set(this, stack);
  stack.push(this.index);
  const ch = this.char;
  if (/^[0-9.]$/.test(ch)) {
    env.node = this.gobbleNumericLiteral();
    return;
  }
  if (ch === '=') this.throwError('"=" is not part of the expression language: compare with ==');
  if (ch === '{') this.throwError('objects are not part of the expression language: write a list [a, b] or a reference');
  if (!isNameStart(ch)) return;
  const word = readName(this.expr, this.index);
  if (word === 'not') return; // jsep's unary operator
  if (word in LITERALS) {
    this.index += word.length;
    env.node = { type: 'Literal', value: LITERALS[word] ?? null, raw: word };
    return;
  }
  if (word === 'and' || word === 'or' || word === 'in') this.throwError(`"${word}" needs an expression on each side`);
  if (word === 'this') this.throwError('"this" is not part of the expression language');
  if (!isRoot(word)) this.throwError(`unknown name "${word}": a reference starts with ${REFERENCE_ROOTS.join(', ')}`);
  env.node = gobbleReference(this, word);
}

/** The character at the parser's position (a function, so that TypeScript does not narrow it across moves). */
const current = (scope: jsep.HookScope): string => scope.expr.charAt(scope.index);

function gobbleReference(scope: jsep.HookScope, root: ReferenceRoot): jsep.Expression {
  const start = scope.index;
  scope.index += root.length;
  const path: (string | number)[] = [];
  for (;;) {
    if (current(scope) === '.') {
      scope.index++;
      const name = readName(scope.expr, scope.index);
      if (name === '') scope.throwError(/[0-9]/.test(current(scope)) ? 'after "." comes a name: write a list item as [0]' : 'a name must follow "."');
      path.push(name);
      scope.index += name.length;
    } else if (current(scope) === '[') {
      scope.index++;
      scope.gobbleSpaces();
      if (current(scope) === "'" || current(scope) === '"') {
        const key = scope.gobbleStringLiteral();
        path.push(String(key?.['value']));
      } else if (/[0-9]/.test(current(scope))) {
        const digits = /^[0-9]+/.exec(scope.expr.slice(scope.index))?.[0] ?? '';
        path.push(Number(digits));
        scope.index += digits.length;
      } else {
        scope.throwError("inside [ ] write a quoted name or a whole number, like ['a b'] or [0]");
      }
      scope.gobbleSpaces();
      if (current(scope) !== ']') scope.throwError('"]" expected');
      scope.index++;
    } else {
      break;
    }
  }
  if (current(scope) === '(') scope.throwError('calls are not part of the expression language');
  if (current(scope) === '?' && scope.expr.charAt(scope.index + 1) === '.') scope.throwError('"?." is not part of the expression language');
  if (root === 'steps' && path.length < 2) {
    scope.index = start;
    scope.throwError('a step reference names the step and one of its outputs, like steps.fetch.status');
  }
  const reference: RawReference = { type: REFERENCE, root, path, start, end: scope.index };
  return reference;
}

function afterToken(this: jsep.HookScope, env: { node?: jsep.Expression }): void {
  const start = tokenStarts.get(this)?.pop();
  if (env.node && start !== undefined) {
    let end = this.index;
    while (end > start && /\s/.test(this.expr.charAt(end - 1))) end--;
    spans.set(env.node, { start, end });
  }
}

jsep.plugins.register({
  name: 'trellis-workflow-language',
  init() {
    jsep.addBinaryOp('or', 1);
    jsep.addBinaryOp('and', 2);
    jsep.addBinaryOp('in', 7);
    jsep.addUnaryOp('not');
    jsep.hooks.add('gobble-token', gobbleToken);
    jsep.hooks.add('after-token', afterToken);
  },
});

// ---------------------------------------------------------------------------------------------
// From jsep's tree to ours, refusing what the language does not have.

type Raw = jsep.Expression;

function spanOf(raw: Raw): Span {
  const known = spans.get(raw);
  if (known) return known;
  const children = [raw['left'], raw['test'], raw['right'], raw['alternate'], ...(Array.isArray(raw['body']) ? raw['body'] : [])].filter(isRaw);
  if (children.length === 0) return { start: 0, end: 0 };
  const parts = children.map(spanOf);
  return { start: Math.min(...parts.map((s) => s.start)), end: Math.max(...parts.map((s) => s.end)) };
}

function isRaw(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

function skipSpaces(text: string, at: number): number {
  let index = at;
  while (index < text.length && /\s/.test(text.charAt(index))) index++;
  return index;
}

const COMPARE = ['==', '!=', '<', '<=', '>', '>='] as const;
type CompareOperator = (typeof COMPARE)[number];
const isCompare = (op: string): op is CompareOperator => (COMPARE as readonly string[]).includes(op);

function refusedOperator(op: string): string {
  if (op === '===') return '"===" is not an operator here: write == (equality is always strict)';
  if (op === '!==') return '"!==" is not an operator here: write != (equality is always strict)';
  if (['+', '-', '*', '/', '%', '**'].includes(op)) return `arithmetic ("${op}") is not part of the expression language`;
  if (op === '??') return '"??" is not part of the expression language: write a ? b : c';
  return `"${op}" is not part of the expression language`;
}

function convert(raw: Raw, source: string, errors: ExpressionError[]): Node {
  const span = spanOf(raw);
  const refuse = (message: string, index = span.start): Node => {
    errors.push({ message, index });
    return { type: 'literal', value: null, ...span };
  };
  const child = (value: unknown): Node => (isRaw(value) ? convert(value, source, errors) : refuse('an expression is missing'));
  switch (raw.type) {
    case REFERENCE: {
      const { root, path, start, end } = raw as unknown as RawReference;
      return { type: 'reference', reference: { root, path, start, end }, start, end };
    }
    case 'Literal': {
      const value = raw['value'];
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) return { type: 'literal', value, ...span };
      return refuse('this literal is not part of the expression language');
    }
    case 'UnaryExpression': {
      const op = String(raw['operator']);
      const argument = raw['argument'];
      if (op === '!' || op === 'not') return { type: 'not', argument: child(argument), ...span };
      if (op === '-' && isRaw(argument) && argument.type === 'Literal' && typeof argument['value'] === 'number') {
        return { type: 'literal', value: -argument['value'], ...span };
      }
      return refuse(op === '-' || op === '+' ? `arithmetic ("${op}") is not part of the expression language` : `"${op}" is not part of the expression language`);
    }
    case 'BinaryExpression': {
      const op = String(raw['operator']);
      const left = raw['left'];
      const at = isRaw(left) ? skipSpaces(source, spanOf(left).end) : span.start;
      if (op === 'and' || op === '&&') return { type: 'logical', operator: 'and', left: child(left), right: child(raw['right']), ...span };
      if (op === 'or' || op === '||') return { type: 'logical', operator: 'or', left: child(left), right: child(raw['right']), ...span };
      if (op === 'in') return { type: 'in', needle: child(left), haystack: child(raw['right']), ...span };
      if (isCompare(op)) return { type: 'compare', operator: op, left: child(left), right: child(raw['right']), ...span };
      return refuse(refusedOperator(op), at);
    }
    case 'ConditionalExpression':
      return { type: 'conditional', test: child(raw['test']), consequent: child(raw['consequent']), alternate: child(raw['alternate']), ...span };
    case 'ArrayExpression': {
      const elements = Array.isArray(raw['elements']) ? raw['elements'] : [];
      if (elements.some((e) => e === null)) return refuse('a list has an empty item (two commas in a row)');
      return { type: 'list', elements: elements.map(child), ...span };
    }
    case 'Compound':
    case 'SequenceExpression': {
      const body = (Array.isArray(raw['body']) ? raw['body'] : Array.isArray(raw['expressions']) ? raw['expressions'] : []).filter(isRaw);
      const [first] = body;
      if (first === undefined) return refuse('the expression is empty');
      const at = skipSpaces(source, spanOf(first).end);
      const ch = source.charAt(at);
      return refuse(ch === ',' || ch === ';' ? `"${ch}": write one expression (a list is written [a, b])` : 'two expressions with no operator between them', at);
    }
    case 'Identifier':
      if (raw['name'] === 'not') return refuse('"not" needs an expression after it');
      return refuse(`unknown name "${String(raw['name'])}": a reference starts with ${REFERENCE_ROOTS.join(', ')}`);
    case 'CallExpression':
      return refuse('calls are not part of the expression language');
    case 'MemberExpression':
      return refuse(`members can be read only from a reference (${REFERENCE_ROOTS.join(', ')})`);
    case 'ThisExpression':
      return refuse('"this" is not part of the expression language');
    default:
      return refuse(`${raw.type} is not part of the expression language`);
  }
}

function shift(node: Node, by: number): Node {
  const at = { start: node.start + by, end: node.end + by };
  switch (node.type) {
    case 'literal':
      return { ...node, ...at };
    case 'reference':
      return { ...node, ...at, reference: { ...node.reference, start: node.reference.start + by, end: node.reference.end + by } };
    case 'not':
      return { ...node, ...at, argument: shift(node.argument, by) };
    case 'logical':
    case 'compare':
      return { ...node, ...at, left: shift(node.left, by), right: shift(node.right, by) };
    case 'in':
      return { ...node, ...at, needle: shift(node.needle, by), haystack: shift(node.haystack, by) };
    case 'conditional':
      return { ...node, ...at, test: shift(node.test, by), consequent: shift(node.consequent, by), alternate: shift(node.alternate, by) };
    case 'list':
      return { ...node, ...at, elements: node.elements.map((e) => shift(e, by)) };
  }
}

// ---------------------------------------------------------------------------------------------
// References

/** Every reference in the tree, in source order. */
export function referencesOf(node: Node): Reference[] {
  switch (node.type) {
    case 'literal':
      return [];
    case 'reference':
      return [node.reference];
    case 'not':
      return referencesOf(node.argument);
    case 'logical':
    case 'compare':
      return [...referencesOf(node.left), ...referencesOf(node.right)];
    case 'in':
      return [...referencesOf(node.needle), ...referencesOf(node.haystack)];
    case 'conditional':
      return [...referencesOf(node.test), ...referencesOf(node.consequent), ...referencesOf(node.alternate)];
    case 'list':
      return node.elements.flatMap(referencesOf);
  }
}

/** `steps.fetch.body['a b'][0]`: a reference as it may be written. */
export function formatReference(reference: Pick<Reference, 'root' | 'path'>): string {
  return reference.root + reference.path.map((segment) => {
    if (typeof segment === 'number') return `[${segment}]`;
    return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment) ? `.${segment}` : `['${segment.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
  }).join('');
}

/** The member of a JSON value at `path`: names read objects, indexes read lists. */
export function valueAt(value: JsonValue, path: Path): { found: true; value: JsonValue } | { found: false } {
  let current = value;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || !Number.isInteger(segment) || segment < 0 || segment >= current.length) return { found: false };
      current = current[segment] ?? null;
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, segment)) return { found: false };
      current = current[segment] ?? null;
    }
  }
  return { found: true, value: current };
}

// ---------------------------------------------------------------------------------------------
// Static types

/** What a reference carries; undefined = unknown reference: the caller reports it (it types as any). */
export type Lookup = (reference: Reference) => ValueType | undefined;

type Kind = 'number' | 'text' | 'boolean' | 'list' | 'object' | 'null' | 'unknown';

function kindOf(t: ValueType): Kind {
  switch (t.kind) {
    case 'any':
      return 'unknown';
    case 'null':
      return 'null';
    case 'list':
      return 'list';
    case 'io':
      switch (t.type) {
        case 'integer':
        case 'float':
          return 'number';
        case 'string':
        case 'longstring':
        case 'password':
        case 'enum':
          return 'text';
        case 'boolean':
          return 'boolean';
        case 'file':
        case 'directory':
          return 'object';
        case 'json':
          return 'unknown';
      }
  }
}

const BOOLEAN = io('boolean');

/**
 * The type an expression will have, and what is certainly wrong with it before run time (an
 * ordering of a list, `and` on a number, `in` on a number, `==` between values that can never be
 * equal). Comparisons, `and`, `or`, `not` and `in` are booleans; `?:` the common type of its branches
 * (or any); a list a list of its items' common type (or any).
 */
export function staticTypeOf(node: Node, lookup: Lookup): { type: ValueType; problems: ExpressionError[] } {
  const problems: ExpressionError[] = [];
  const type = typeOf(node, lookup, problems);
  return { type, problems };
}

function typeOf(node: Node, lookup: Lookup, problems: ExpressionError[]): ValueType {
  const needBoolean = (operand: Node, what: string) => {
    const t = typeOf(operand, lookup, problems);
    const kind = kindOf(t);
    if (kind !== 'unknown' && kind !== 'boolean') problems.push({ message: `${what} needs true or false, not ${describeType(t)}`, index: operand.start });
  };
  switch (node.type) {
    case 'literal':
      return typeOfLiteral(node.value);
    case 'reference':
      return lookup(node.reference) ?? ANY;
    case 'not':
      needBoolean(node.argument, '"not"');
      return BOOLEAN;
    case 'logical':
      needBoolean(node.left, `"${node.operator}"`);
      needBoolean(node.right, `"${node.operator}"`);
      return BOOLEAN;
    case 'compare': {
      const left = typeOf(node.left, lookup, problems);
      const right = typeOf(node.right, lookup, problems);
      if (node.operator === '==' || node.operator === '!=') {
        if (neverEqual(left, right)) problems.push({ message: `${describeType(left)} and ${describeType(right)} are never equal: "${node.operator}" compares values of one kind`, index: node.start });
        return BOOLEAN;
      }
      const problem = orderingProblem(node.operator, node.left, left, node.right, right);
      if (problem) problems.push(problem);
      return BOOLEAN;
    }
    case 'in': {
      const needle = typeOf(node.needle, lookup, problems);
      const haystack = typeOf(node.haystack, lookup, problems);
      const kind = kindOf(haystack);
      if (haystack.kind === 'list') {
        if (neverEqual(needle, haystack.of)) problems.push({ message: `${describeType(haystack)} never holds ${describeType(needle)}`, index: node.start });
      } else if (kind === 'text') {
        const needleKind = kindOf(needle);
        if (needleKind !== 'unknown' && needleKind !== 'text') problems.push({ message: `"in" looks for a string in a string, not for ${describeType(needle)}`, index: node.needle.start });
      } else if (kind !== 'unknown') {
        problems.push({ message: `"in" looks in a list or a string, not in ${describeType(haystack)}`, index: node.haystack.start });
      }
      return BOOLEAN;
    }
    case 'conditional': {
      needBoolean(node.test, 'the test of "?:"');
      return commonType(typeOf(node.consequent, lookup, problems), typeOf(node.alternate, lookup, problems));
    }
    case 'list': {
      const items = node.elements.map((e) => typeOf(e, lookup, problems));
      const [first, ...rest] = items;
      return listOf(first === undefined ? ANY : rest.reduce(commonType, first));
    }
  }
}

/** Two known types whose values can never be deeply equal (null compares with anything). */
function neverEqual(a: ValueType, b: ValueType): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 'unknown' || kb === 'unknown' || ka === 'null' || kb === 'null') return false;
  if (ka !== kb) return true;
  if (a.kind === 'list' && b.kind === 'list') return neverEqual(a.of, b.of);
  return false;
}

function orderingProblem(operator: string, leftNode: Node, left: ValueType, rightNode: Node, right: ValueType): ExpressionError | undefined {
  const ordered = (kind: Kind) => kind === 'number' || kind === 'text' || kind === 'unknown';
  const [kl, kr] = [kindOf(left), kindOf(right)];
  if (!ordered(kl)) return { message: `"${operator}" orders two numbers or two strings, not ${describeType(left)}`, index: leftNode.start };
  if (!ordered(kr)) return { message: `"${operator}" orders two numbers or two strings, not ${describeType(right)}`, index: rightNode.start };
  if (kl !== 'unknown' && kr !== 'unknown' && kl !== kr) {
    return { message: `"${operator}" orders two numbers or two strings, not ${describeType(left)} and ${describeType(right)}`, index: leftNode.start };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

export type Resolve = (reference: Reference) => { found: true; value: JsonValue } | { found: false };

export type Evaluation = { ok: true; value: JsonValue } | { ok: false; code: 'reference_missing' | 'type_error'; message: string };

/** The value of an expression, by the rules in this module's comment. Never throws on data. */
export function evaluate(expression: Expression, resolve: Resolve): Evaluation {
  return run(expression.root, resolve);
}

const typeError = (message: string): Evaluation => ({ ok: false, code: 'type_error', message });

/** 'a number (3)', 'a string', 'null' in run-time messages (never the value of a string: it may be a secret). */
function kindOfValue(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return 'an object';
}

function run(node: Node, resolve: Resolve): Evaluation {
  switch (node.type) {
    case 'literal':
      return { ok: true, value: node.value };
    case 'reference': {
      const found = resolve(node.reference);
      return found.found ? { ok: true, value: found.value } : { ok: false, code: 'reference_missing', message: `${formatReference(node.reference)} is missing` };
    }
    case 'not': {
      const argument = runBoolean(node.argument, resolve, '"not"');
      return argument.ok ? { ok: true, value: !argument.value } : argument;
    }
    case 'logical': {
      const left = runBoolean(node.left, resolve, `"${node.operator}"`);
      if (!left.ok) return left;
      if (node.operator === 'and' ? !left.value : left.value) return left;
      return runBoolean(node.right, resolve, `"${node.operator}"`);
    }
    case 'compare': {
      const left = run(node.left, resolve);
      if (!left.ok) return left;
      const right = run(node.right, resolve);
      if (!right.ok) return right;
      return compare(node.operator, left.value, right.value);
    }
    case 'in': {
      const needle = run(node.needle, resolve);
      if (!needle.ok) return needle;
      const haystack = run(node.haystack, resolve);
      if (!haystack.ok) return haystack;
      if (Array.isArray(haystack.value)) return { ok: true, value: haystack.value.some((item) => deepEqual(item, needle.value)) };
      if (typeof haystack.value === 'string') {
        if (typeof needle.value !== 'string') return typeError(`"in" looks for a string in a string, not for ${kindOfValue(needle.value)}`);
        return { ok: true, value: haystack.value.includes(needle.value) };
      }
      return typeError(`"in" looks in a list or a string, not in ${kindOfValue(haystack.value)}`);
    }
    case 'conditional': {
      const test = runBoolean(node.test, resolve, 'the test of "?:"');
      if (!test.ok) return test;
      return run(test.value ? node.consequent : node.alternate, resolve);
    }
    case 'list': {
      const values: JsonValue[] = [];
      for (const element of node.elements) {
        const item = run(element, resolve);
        if (!item.ok) return item;
        values.push(item.value);
      }
      return { ok: true, value: values };
    }
  }
}

function runBoolean(node: Node, resolve: Resolve, what: string): { ok: true; value: boolean } | (Evaluation & { ok: false }) {
  const result = run(node, resolve);
  if (!result.ok) return result;
  if (typeof result.value !== 'boolean') return { ok: false, code: 'type_error', message: `${what} needs true or false, not ${kindOfValue(result.value)}` };
  return { ok: true, value: result.value };
}

function compare(operator: CompareOperator, left: JsonValue, right: JsonValue): Evaluation {
  switch (operator) {
    case '==':
      return { ok: true, value: deepEqual(left, right) };
    case '!=':
      return { ok: true, value: !deepEqual(left, right) };
    default: {
      const bothNumbers = typeof left === 'number' && typeof right === 'number';
      const bothStrings = typeof left === 'string' && typeof right === 'string';
      if (!bothNumbers && !bothStrings) return typeError(`"${operator}" orders two numbers or two strings, not ${kindOfValue(left)} and ${kindOfValue(right)}`);
      const [a, b] = [left, right] as [number, number] | [string, string];
      const value = operator === '<' ? a < b : operator === '<=' ? a <= b : operator === '>' ? a > b : a >= b;
      return { ok: true, value };
    }
  }
}

/** Deep equality of JSON values; object key order does not matter. */
export function deepEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i] ?? null));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key] ?? null, b[key] ?? null));
}
