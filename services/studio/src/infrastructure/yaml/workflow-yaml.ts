import { unsafeText } from '@trellis/platform/http/request-values';
import { Document, LineCounter, Scalar, Schema, isAlias, isMap, isNode, isScalar, isSeq, parseDocument, visit, type Node, type ScalarTag, type YAMLError } from 'yaml';
import type { JsonValue } from '@trellis/kernel/io';

/*
 * A workflow as YAML (docs/workflows.md): the same shape as the API's JSON. Reading accepts
 * plain YAML 1.2 data and nothing else (no tags beyond the core ones, no keys that are not
 * strings, no values JSON cannot hold), bounded against YAML bombs, and keeps the parse tree to
 * say where a path of the document sits. Writing gives the same bytes for the same document.
 */

/** A place in the YAML text, 1-based. */
export type Located = { line: number; column: number };

export type YamlErrorCode = 'yaml_syntax' | 'yaml_too_complex' | 'yaml_not_json';

export type YamlIn =
  | {
      ok: true;
      value: JsonValue;
      /** Where the value at `path` is written, or its nearest parent that is; undefined for an empty text. */
      locate: (path: readonly (string | number)[]) => Located | undefined;
    }
  | { ok: false; errors: { code: YamlErrorCode; message: string; line: number; column: number }[] };

type YamlInError = Extract<YamlIn, { ok: false }>['errors'][number];

/** Collections nested deeper than this (aliases counted where they are used) are refused. */
export const MAX_DEPTH = 64;
/** Aliases in one document (the `maxAliasCount` of the conversion too). */
export const MAX_ALIASES = 100;
/** Values the aliases may add to the document, all aliases together. */
export const MAX_ALIAS_EXPANSION = 10_000;

const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((name) => `tag:yaml.org,2002:${name}`));

const BOOL = 'tag:yaml.org,2002:bool';
/**
 * Strings that YAML 1.1 readers (PyYAML, Ruby, many editors) take for something else are quoted
 * too: `yes`, `off`, `2024-01-01`, `0755`, `1_000`, `12:30`. Not `y` and `n`, which only the
 * strictest of them do, so that inputs named `n` or `y` read as written.
 */
const YAML_11_LOOKALIKES: ScalarTag[] = new Schema({ schema: 'yaml-1.1' }).tags
  .filter((tag): tag is ScalarTag => tag.tag !== BOOL && 'test' in tag && tag.test !== undefined)
  .concat({ tag: BOOL, default: true, test: /^(?:[Yy]es|YES|[Nn]o|NO|[Tt]rue|TRUE|[Ff]alse|FALSE|[Oo]n|ON|[Oo]ff|OFF)$/, resolve: (text) => /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/.test(text) });

const WRITE_OPTIONS = {
  version: '1.2',
  schema: 'core',
  compat: YAML_11_LOOKALIKES,
  indent: 2,
  indentSeq: true,
  lineWidth: 0,
  minContentWidth: 0,
  blockQuote: 'literal',
  defaultStringType: 'PLAIN',
  defaultKeyType: 'PLAIN',
  aliasDuplicateObjects: false,
  doubleQuotedAsJSON: true,
  directives: false,
} as const;

/** The key written at `offset`, for naming a duplicate key. */
function keyAt(document: Document.Parsed, offset: number): string | undefined {
  let found: string | undefined;
  visit(document, {
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        found = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

function syntaxErrors(document: Document.Parsed, errors: readonly YAMLError[], lineCounter: LineCounter): YamlInError[] {
  const out: YamlInError[] = [];
  let exhausted = false;
  for (const error of errors) {
    const [start] = error.pos;
    const { line, col: column } = lineCounter.linePos(start);
    switch (error.code) {
      case 'RESOURCE_EXHAUSTION':
        // The parser gives up at every level of a structure nested too deeply: one error says it.
        if (!exhausted) out.push({ code: 'yaml_too_complex', message: `The document is nested too deeply to be read (at most ${MAX_DEPTH} levels).`, line, column });
        exhausted = true;
        break;
      case 'DUPLICATE_KEY': {
        const key = keyAt(document, start);
        out.push({ code: 'yaml_syntax', message: `${key === undefined ? 'A key' : `The key ${JSON.stringify(key.slice(0, 100))}`} appears twice in this mapping; keep one.`, line, column });
        break;
      }
        break;
      case 'MULTIPLE_DOCS':
        out.push({ code: 'yaml_syntax', message: 'A workflow file holds one YAML document: remove this --- and what follows it.', line, column });
        break;
      default:
        out.push({ code: 'yaml_syntax', message: `${error.message.split('\n')[0] ?? error.message}.`.replace(/\.+$/, '.'), line, column });
    }
  }
  return out;
}

type Walk = {
  readonly text: string;
  readonly positionOf: (node: Node) => Located;
  readonly errors: YamlInError[];
  /** The latest anchor of each name so far, in document order (where YAML looks an alias up). */
  readonly anchors: Map<string, Node>;
  /** Each alias and the node it stands for. */
  readonly targets: Map<Node, Node>;
  /** Anchored nodes whose walk is done: their size (values) and height (nesting levels). */
  readonly measured: Map<Node, { size: number; height: number }>;
  readonly open: Set<Node>;
  aliases: number;
  expansion: number;
  tooDeep: boolean;
};

function report(walk: Walk, node: Node, code: YamlErrorCode, message: string): void {
  walk.errors.push({ code, message, ...walk.positionOf(node) });
}

/** False (and reported) when the node has a tag other than the core schema's. */
function checkTag(walk: Walk, node: Node): boolean {
  if (node.tag === undefined || CORE_TAGS.has(node.tag)) return true;
  const tag = node.tag.replace(/^tag:yaml\.org,2002:/, '!!');
  report(walk, node, 'yaml_not_json', `The tag ${tag} is not supported: a workflow holds plain data (strings, numbers, true/false, null, lists, mappings).`);
  return false;
}

function checkScalarValue(walk: Walk, node: Node, value: unknown): void {
  if (typeof value === 'string') {
    // YAML's escapes ("\0", "\ud800") make text no JSON document can be stored with.
    const unsafe = unsafeText(value);
    if (unsafe) report(walk, node, 'yaml_not_json', `This string holds ${unsafe}, which a workflow cannot hold: remove it.`);
    return;
  }
  if (typeof value === 'boolean' || value === null) return;
  if (typeof value === 'number' && Number.isFinite(value)) return;
  const shown = walk.text.slice(node.range?.[0] ?? 0, node.range?.[1] ?? 0).slice(0, 50);
  report(walk, node, 'yaml_not_json', `${JSON.stringify(shown)} is not a JSON value (infinity and NaN, dates and binary data are not): quote it to make it a string.`);
}

function aliasOf(walk: Walk, node: Node & { source: string }, depth: number): { size: number; height: number } {
  walk.aliases += 1;
  if (walk.aliases > MAX_ALIASES) {
    if (walk.aliases === MAX_ALIASES + 1) report(walk, node, 'yaml_too_complex', `More than ${MAX_ALIASES} aliases (*name): write the values out.`);
    return { size: 1, height: 0 };
  }
  const target = walk.anchors.get(node.source);
  if (!target) {
    report(walk, node, 'yaml_syntax', `No anchor &${node.source} comes before this alias.`);
    return { size: 1, height: 0 };
  }
  walk.targets.set(node, target);
  if (walk.open.has(target)) {
    report(walk, node, 'yaml_not_json', `The alias *${node.source} is inside its own anchor: the value would never end.`);
    return { size: 1, height: 0 };
  }
  const measured = walk.measured.get(target) ?? { size: 1, height: 0 };
  if (depth + measured.height > MAX_DEPTH && !walk.tooDeep) {
    walk.tooDeep = true;
    report(walk, node, 'yaml_too_complex', `This alias nests the document more than ${MAX_DEPTH} levels deep.`);
  }
  const before = walk.expansion;
  walk.expansion += measured.size;
  if (walk.expansion > MAX_ALIAS_EXPANSION && before <= MAX_ALIAS_EXPANSION) {
    report(walk, node, 'yaml_too_complex', `The aliases expand the document beyond ${MAX_ALIAS_EXPANSION} values (a YAML bomb?): write the values out.`);
  }
  return measured;
}

/** Checks that `node` is JSON data within the limits; gives its size and height with aliases expanded. */
function walkNode(walk: Walk, node: unknown, depth: number): { size: number; height: number } {
  if (node === null || node === undefined) return { size: 1, height: 0 };
  if (isAlias(node)) return aliasOf(walk, node, depth);
  if (!isScalar(node) && !isMap(node) && !isSeq(node)) return { size: 1, height: 0 };
  if (depth > MAX_DEPTH) {
    if (!walk.tooDeep) report(walk, node, 'yaml_too_complex', `The document nests more than ${MAX_DEPTH} levels deep.`);
    walk.tooDeep = true;
    return { size: 1, height: 0 };
  }
  if (node.anchor) {
    walk.anchors.set(node.anchor, node);
    walk.open.add(node);
  }
  const tagged = checkTag(walk, node);
  let measured = { size: 1, height: 0 };
  if (isScalar(node)) {
    if (tagged) checkScalarValue(walk, node, node.value);
  } else if (isSeq(node)) {
    for (const item of node.items) {
      const child = walkNode(walk, item, depth + 1);
      measured = { size: measured.size + child.size, height: Math.max(measured.height, child.height + 1) };
    }
  } else {
    for (const pair of node.items) {
      const key = pair.key;
      if (isScalar(key) && typeof key.value === 'string') walkNode(walk, key, depth + 1);
      else report(walk, isNode(key) ? key : node, 'yaml_not_json', 'A key must be a string: quote it (JSON objects have only string keys).');
      const child = walkNode(walk, pair.value, depth + 1);
      measured = { size: measured.size + child.size, height: Math.max(measured.height, child.height + 1) };
    }
  }
  if (node.anchor) {
    walk.open.delete(node);
    walk.measured.set(node, measured);
  }
  return measured;
}

function positionsOf(lineCounter: LineCounter) {
  return (node: Node): Located => {
    const { line, col } = lineCounter.linePos(node.range?.[0] ?? 0);
    return { line, column: col };
  };
}

/** Where `path` is written: the node at it, or its nearest parent that exists. */
function locator(document: Document, targets: ReadonlyMap<Node, Node>, positionOf: (node: Node) => Located) {
  const isEmpty = (node: unknown): boolean => node === null || node === undefined || (isScalar(node) && node.range != null && node.range[0] === node.range[1]);
  return (path: readonly (string | number)[]): Located | undefined => {
    const root = document.contents;
    if (!root) return undefined;
    let at: Node = root;
    for (const part of path) {
      const node: Node = isAlias(at) ? (targets.get(at) ?? at) : at;
      let next: Node | undefined;
      if (isSeq(node) && typeof part === 'number') {
        const item = node.items[part];
        next = isEmpty(item) ? undefined : (item as Node);
      } else if (isMap(node) && typeof part === 'string') {
        const pair = node.items.find((candidate) => isScalar(candidate.key) && candidate.key.value === part);
        if (pair) next = isEmpty(pair.value) ? (pair.key as Node) : (pair.value as Node);
      }
      if (!next) break;
      at = next;
    }
    return positionOf(at);
  };
}

/** Reads a workflow written in YAML: its JSON value and where each part of it is, or every error with its place. */
export function readWorkflowYaml(text: string): YamlIn {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    lineCounter, version: '1.2', schema: 'core', customTags: [], uniqueKeys: true, merge: false, prettyErrors: false,
  });
  if (document.errors.length > 0) return { ok: false, errors: sorted(syntaxErrors(document, document.errors, lineCounter)) };
  const positionOf = positionsOf(lineCounter);
  const walk: Walk = {
    text, positionOf, errors: [], anchors: new Map(), targets: new Map(), measured: new Map(), open: new Set(), aliases: 0, expansion: 0, tooDeep: false,
  };
  walkNode(walk, document.contents, 0);
  if (walk.errors.length > 0) return { ok: false, errors: sorted(walk.errors) };
  let value: JsonValue;
  try {
    value = (document.toJS({ maxAliasCount: MAX_ALIASES }) ?? null) as JsonValue;
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    // The library counts aliases of aliases more strictly than the walk: refused all the same.
    const first = [...walk.targets.keys()][0];
    return { ok: false, errors: [{ code: 'yaml_too_complex', message: 'The aliases expand the document too much (a YAML bomb?): write the values out.', ...(first ? positionOf(first) : { line: 1, column: 1 }) }] };
  }
  return { ok: true, value, locate: locator(document, walk.targets, positionOf) };
}

function sorted(errors: YamlInError[]): YamlInError[] {
  return [...errors].sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * The document as YAML, byte-stable: block style, 2-space indentation, no folding, keys in the
 * order given (pass `canonicalDocument`'s), strings quoted only when a YAML reader would take
 * them for something else, one final newline.
 */
export function writeWorkflowYaml(canonical: JsonValue): string {
  const document = new Document(canonical, WRITE_OPTIONS);
  visit(document, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && !literalKeeps(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return document.toString(WRITE_OPTIONS);
}

/**
 * Whether a multi-line string survives as a literal block (`|`): a line of only blanks does not
 * (a reader takes it for an empty line), so such a string is written double-quoted.
 */
function literalKeeps(value: string): boolean {
  return !value.includes('\n') || !value.split('\n').some((line) => /^[ \t]+$/.test(line));
}
