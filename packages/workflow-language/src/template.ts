// Templates: the `${{ expression }}` found in a workflow's values (step inputs, trigger settings).
//
// - A value with no `${{` anywhere is a literal and stays what it is.
// - A string that is exactly one `${{ expr }}` (spaces around allowed) is an expression: the value
//   keeps the expression's type (`${{ steps.count.n }}` fills an integer input with an integer).
// - A string with `${{ }}` among other text is an interpolation, always a string: strings are
//   written as they are, null as nothing, every other value as JSON text.
// - A list or an object with templates in some of its string leaves is a structure: the leaves are
//   filled in place.
// Object keys are never templates. Inside `${{ }}`, a quoted string may hold `}}`. Positions (of errors and of references) are
// offsets in the string the template was written in; `path` says which string of a structure.
import type { JsonValue } from '@trellis/kernel/io';
import { evaluate, parseAt, referencesOf, staticTypeOf, type Evaluation, type Expression, type ExpressionError, type Lookup, type Path, type Reference, type Resolve } from './expression.js';
import { ANY, commonType, describeType, io, listOf, typeOfLiteral, type ValueType } from './value-types.js';

export type Template =
  | { readonly kind: 'literal'; readonly value: JsonValue } // no ${{ }} anywhere
  | { readonly kind: 'expression'; readonly expression: Expression } // the whole string is one ${{ expr }}: the value keeps the expression's type
  | { readonly kind: 'interpolation'; readonly parts: readonly (string | Expression)[] } // text with ${{ }} inside: always a string
  | { readonly kind: 'structure'; readonly value: JsonValue; readonly holes: readonly { readonly path: Path; readonly template: Template }[] }; // a list/object with templates in some string leaves

/** An error in a template; `path` is where in the value ([] for a plain string). */
export type TemplateError = ExpressionError & { readonly path: Path };

const OPEN = '${{';
const CLOSE = '}}';

/** Every error, not just the first; an unclosed `${{` is an error. */
export function parseTemplate(value: JsonValue): { ok: true; template: Template } | { ok: false; errors: TemplateError[] } {
  const errors: TemplateError[] = [];
  const template = parseValue(value, [], errors);
  return errors.length === 0 ? { ok: true, template } : { ok: false, errors };
}

function parseValue(value: JsonValue, path: Path, errors: TemplateError[]): Template {
  if (typeof value === 'string') return parseString(value, path, errors);
  if (value === null || typeof value !== 'object') return { kind: 'literal', value };
  const holes: { path: Path; template: Template }[] = [];
  const visit = (item: JsonValue, at: Path) => {
    if (typeof item === 'string') {
      const template = parseString(item, at, errors);
      if (template.kind !== 'literal') holes.push({ path: at, template });
    } else if (Array.isArray(item)) {
      item.forEach((child, i) => visit(child, [...at, i]));
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) visit(child, [...at, key]);
    }
  };
  visit(value, path);
  if (holes.length === 0) return { kind: 'literal', value };
  return { kind: 'structure', value, holes: holes.map((hole) => ({ path: hole.path.slice(path.length), template: hole.template })) };
}

function parseString(text: string, path: Path, errors: TemplateError[]): Template {
  const parts: (string | Expression)[] = [];
  let at = 0;
  let failed = false;
  while (at < text.length) {
    const open = text.indexOf(OPEN, at);
    if (open < 0) break;
    if (open > at) parts.push(text.slice(at, open));
    const close = findClose(text, open + OPEN.length);
    if (close < 0) {
      errors.push({ message: `"${OPEN}" is not closed: end the expression with "${CLOSE}"`, index: open, path });
      failed = true;
      at = text.length;
      break;
    }
    const source = text.slice(open + OPEN.length, close);
    if (source.trim() === '') {
      errors.push({ message: `"${OPEN} ${CLOSE}" holds no expression`, index: open, path });
      failed = true;
    } else {
      const parsed = parseAt(source, open + OPEN.length);
      if (parsed.ok) parts.push({ ...parsed.expression, source: source.trim() });
      else {
        errors.push({ ...parsed.error, path });
        failed = true;
      }
    }
    at = close + CLOSE.length;
  }
  if (parts.every((part) => typeof part === 'string') && !failed) return { kind: 'literal', value: text };
  if (at < text.length) parts.push(text.slice(at));
  const [only] = parts;
  if (parts.length === 1 && typeof only !== 'string' && only !== undefined) return { kind: 'expression', expression: only };
  // Spaces around one ${{ }} do not make it text.
  const expressions = parts.filter((part) => typeof part !== 'string');
  const [single] = expressions;
  if (expressions.length === 1 && single !== undefined && parts.every((part) => typeof part !== 'string' || part.trim() === '')) {
    return { kind: 'expression', expression: single };
  }
  return { kind: 'interpolation', parts };
}

/** Index of the `}}` that ends an expression starting at `from`, skipping quoted strings; -1 if none. */
function findClose(text: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const ch = text.charAt(i);
    if (quote !== undefined) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (text.startsWith(CLOSE, i)) {
      return i;
    }
  }
  return -1;
}

/** Every reference in the template, in order. */
export function templateReferences(template: Template): Reference[] {
  switch (template.kind) {
    case 'literal':
      return [];
    case 'expression':
      return referencesOf(template.expression.root);
    case 'interpolation':
      return template.parts.flatMap((part) => (typeof part === 'string' ? [] : referencesOf(part.root)));
    case 'structure':
      return template.holes.flatMap((hole) => templateReferences(hole.template));
  }
}

/**
 * The type of the value the template will make, and what is certainly wrong in it. A structure that
 * is a list is a list of its items' common type; an object is json. Problems carry their `path`.
 */
export function staticTypeOfTemplate(template: Template, lookup: Lookup): { type: ValueType; problems: TemplateError[] } {
  const problems: TemplateError[] = [];
  const type = typeAt(template, [], lookup, problems);
  return { type, problems };
}

function typeAt(template: Template, path: Path, lookup: Lookup, problems: TemplateError[]): ValueType {
  const collect = (expression: Expression): ValueType => {
    const result = staticTypeOf(expression.root, lookup);
    problems.push(...result.problems.map((problem) => ({ ...problem, path })));
    return result.type;
  };
  switch (template.kind) {
    case 'literal':
      return typeOfLiteral(template.value);
    case 'expression':
      return collect(template.expression);
    case 'interpolation':
      for (const part of template.parts) {
        if (typeof part === 'string') continue;
        const type = collect(part);
        if (type.kind === 'io' && (type.type === 'file' || type.type === 'directory')) {
          problems.push({ message: `${describeType(type)} cannot be written into text`, index: part.root.start, path });
        }
      }
      return io('string');
    case 'structure': {
      const holes = new Map(template.holes.map((hole) => [JSON.stringify(hole.path), hole.template]));
      const walk = (value: JsonValue, at: Path): ValueType => {
        const hole = holes.get(JSON.stringify(at));
        if (hole) return typeAt(hole, [...path, ...at], lookup, problems);
        if (Array.isArray(value)) {
          const items = value.map((item, i) => walk(item, [...at, i]));
          const [first, ...rest] = items;
          return listOf(first === undefined ? ANY : rest.reduce(commonType, first));
        }
        if (value !== null && typeof value === 'object') {
          for (const [key, child] of Object.entries(value)) walk(child, [...at, key]);
          return io('json');
        }
        return typeOfLiteral(value);
      };
      return walk(template.value, []);
    }
  }
}

/** The value the template makes at run time. Interpolation writes strings as they are, other values as JSON text, null as ''. */
export function render(template: Template, resolve: Resolve): Evaluation {
  switch (template.kind) {
    case 'literal':
      return { ok: true, value: template.value };
    case 'expression':
      return evaluate(template.expression, resolve);
    case 'interpolation': {
      let text = '';
      for (const part of template.parts) {
        if (typeof part === 'string') {
          text += part;
          continue;
        }
        const result = evaluate(part, resolve);
        if (!result.ok) return result;
        text += result.value === null ? '' : typeof result.value === 'string' ? result.value : JSON.stringify(result.value);
      }
      return { ok: true, value: text };
    }
    case 'structure': {
      const holes = new Map(template.holes.map((hole) => [JSON.stringify(hole.path), hole.template]));
      const fill = (value: JsonValue, at: Path): Evaluation => {
        const hole = holes.get(JSON.stringify(at));
        if (hole) return render(hole, resolve);
        if (Array.isArray(value)) {
          const items: JsonValue[] = [];
          for (const [i, item] of value.entries()) {
            const result = fill(item, [...at, i]);
            if (!result.ok) return result;
            items.push(result.value);
          }
          return { ok: true, value: items };
        }
        if (value !== null && typeof value === 'object') {
          const entries: [string, JsonValue][] = [];
          for (const [key, child] of Object.entries(value)) {
            const result = fill(child, [...at, key]);
            if (!result.ok) return result;
            entries.push([key, result.value]);
          }
          // fromEntries defines own properties, so a "__proto__" key stays a key.
          return { ok: true, value: Object.fromEntries(entries) };
        }
        return { ok: true, value };
      };
      return fill(template.value, []);
    }
  }
}
