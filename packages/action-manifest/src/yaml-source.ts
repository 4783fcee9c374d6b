import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type Scalar, type YAMLError, type YAMLMap, type YAMLSeq } from 'yaml';
import type { ManifestProblem } from './definition.js';
import type { ProblemCode } from './problem.js';
import { didYouMean } from './suggest.js';

/** A 1-based line and column in the manifest. */
export type Position = { readonly line: number; readonly column: number };

/**
 * A parsed manifest file with a place to collect problems: every check reports against the YAML
 * node it is about, so each problem points at the offending key or value.
 */
export type Source = {
  readonly file: string;
  readonly problems: ManifestProblem[];
  readonly root: Node | null;
  positionOf(node: Node | null | undefined): Position;
  report(node: Node | null | undefined, code: ProblemCode, message: string): void;
};

/** An error of the `yaml` parser (a YAMLError), or one like it. */
export type ParserError = Pick<YAMLError, 'code' | 'message' | 'linePos'>;

/** `key: value` in a mapping; `value` is null for `key:` with nothing after it. */
export type Field = { readonly name: string; readonly key: Scalar; readonly value: Node | null };

/** Parses the text; YAML errors become problems (and `root` is null, since the tree cannot be trusted). */
export function readSource(text: string, file: string): Source {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, keepSourceTokens: true, uniqueKeys: true, prettyErrors: true });
  return sourceOf(file, document.contents, lineCounter, document.errors);
}

/**
 * A Source over a parsed document (its contents, and its errors, which become problems).
 * `original` moves a position in the parsed text onto the file as written, when the two differ
 * (see pyyaml-source.ts).
 */
export function sourceOf(
  file: string,
  contents: Node | null,
  lineCounter: LineCounter,
  errors: readonly ParserError[],
  original: (position: Position) => Position = (position) => position,
): Source {
  const problems: ManifestProblem[] = [];
  const positionOf = (node: Node | null | undefined): Position => {
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: 1, column: 1 };
    const { line, col } = lineCounter.linePos(offset);
    return original({ line, column: col });
  };
  const report = (node: Node | null | undefined, code: ProblemCode, message: string): void => {
    problems.push({ file, ...positionOf(node), message, code });
  };
  for (const error of errors) {
    const at = error.linePos?.[0];
    const firstLine = error.message.split('\n')[0] ?? error.message;
    const message = error.code === 'MULTIPLE_DOCS' ? 'a manifest is a single YAML document; remove this "---" and what follows, or merge it into the first' : firstLine.replace(/ at line \d+, column \d+:?$/, '');
    const code: ProblemCode = error.code === 'DUPLICATE_KEY' ? 'duplicate_field' : 'yaml_syntax';
    const text = code === 'duplicate_field' ? 'a field appears twice in the same mapping; keep one' : `YAML syntax error: ${message}`;
    problems.push({ file, ...original({ line: at?.line ?? 1, column: at?.col ?? 1 }), message: text, code });
  }
  const root = problems.length > 0 ? null : contents;
  return { file, problems, root, positionOf, report };
}

/**
 * The fields of a mapping, by name. Reports fields not in `allowed` (with a suggestion) and keys
 * that are not plain strings; `where` names the mapping in messages ("the manifest", "input 2").
 */
export function fieldsOf(source: Source, map: YAMLMap, allowed: readonly string[], where: string): Map<string, Field> {
  const fields = new Map<string, Field>();
  for (const pair of map.items) {
    const key = pair.key as Node | null;
    const value = (pair.value as Node | null) ?? null;
    if (!isScalar(key) || typeof key.value !== 'string') {
      source.report(key, 'wrong_type', `field names in ${where} must be plain words`);
      continue;
    }
    if (!allowed.includes(key.value)) {
      const expected = `expected one of: ${allowed.join(', ')}`;
      source.report(key, 'unknown_field', `unknown field "${key.value}" in ${where}${didYouMean(key.value, allowed)}; ${expected}`);
      continue;
    }
    fields.set(key.value, { name: key.value, key, value });
  }
  return fields;
}

/** Where to point for a field: its value, or its key when the value is empty. */
export function nodeOf(field: Field): Node {
  return field.value ?? field.key;
}

/** A mapping, or a `not_a_mapping` problem. */
export function asMap(source: Source, node: Node | null, what: string): YAMLMap | undefined {
  if (isMap(node)) return node;
  source.report(node, 'not_a_mapping', `${what} must be a mapping of fields (key: value)`);
  return undefined;
}

/** A sequence, or a `wrong_type` problem. */
export function asSeq(source: Source, field: Field, what: string): YAMLSeq | undefined {
  if (isSeq(field.value)) return field.value;
  source.report(nodeOf(field), 'wrong_type', `${what} must be a list (- item, or [a, b])`);
  return undefined;
}

/** The plain JavaScript value of a scalar, or undefined for collections and empty values. */
export function scalarValue(node: Node | null): unknown {
  return isScalar(node) ? node.value : undefined;
}

/** A string field; reports `wrong_type` for anything else (null when the value is empty). */
export function readString(source: Source, field: Field | undefined, what: string): string | undefined {
  if (field === undefined) return undefined;
  const value = scalarValue(field.value);
  if (typeof value === 'string') return value;
  const hint = isScalar(field.value) && value !== null ? ` (got ${String(value)}; quote it to make it a string)` : '';
  source.report(nodeOf(field), 'wrong_type', `${what} must be a string${hint}`);
  return undefined;
}

/** A required, non-empty string field. */
export function readRequiredString(source: Source, fields: Map<string, Field>, name: string, where: Node | null, what: string): string | undefined {
  const field = fields.get(name);
  if (field === undefined) {
    source.report(where, 'missing_field', `missing required field "${name}" (${what})`);
    return undefined;
  }
  const value = readString(source, field, `"${name}"`);
  if (value !== undefined && value.trim() === '') {
    source.report(nodeOf(field), 'empty_value', `"${name}" must not be empty (${what})`);
    return undefined;
  }
  return value;
}

/** A boolean field (true/false). */
export function readBoolean(source: Source, field: Field | undefined, what: string): boolean | undefined {
  if (field === undefined) return undefined;
  const value = scalarValue(field.value);
  if (typeof value === 'boolean') return value;
  source.report(nodeOf(field), 'wrong_type', `${what} must be true or false`);
  return undefined;
}

/** A list of strings. */
export function readStringList(source: Source, field: Field | undefined, what: string): string[] | undefined {
  if (field === undefined) return undefined;
  const seq = asSeq(source, field, what);
  if (seq === undefined) return undefined;
  const strings: string[] = [];
  let ok = true;
  for (const item of seq.items as (Node | null)[]) {
    const value = scalarValue(item);
    if (typeof value === 'string' && value.trim() !== '') strings.push(value);
    else {
      source.report(item ?? field.value, 'wrong_type', `every item of ${what} must be a non-empty string`);
      ok = false;
    }
  }
  return ok ? strings : undefined;
}
