import { LineCounter, Scalar, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { reindentContinuations } from './pyyaml-indentation.js';
import { pyyamlTags } from './pyyaml-schema.js';
import { sourceOf, type Source } from './yaml-source.js';

/**
 * Reads a ryax_metadata.yaml as Ryax does, with PyYAML's safe loader: YAML 1.1 types as PyYAML
 * resolves them (pyyaml-schema.ts); quoted scalars and flow collections whose continuation lines
 * are not indented enough (pyyaml-indentation.ts); a key given twice keeps its last value; aliases
 * and merge keys (`<<`) are resolved into the tree; a tag PyYAML's safe loader does not know is
 * an error. Positions are those of the file as written.
 */
export function readPyYamlSource(text: string, file: string): Source {
  const { text: parsed, added } = reindentContinuations(text);
  const lineCounter = new LineCounter();
  const document = parseDocument(parsed, { version: '1.1', customTags: pyyamlTags, merge: false, uniqueKeys: false, lineCounter, prettyErrors: true });
  const unknownTags = document.warnings
    .filter((warning) => warning.code === 'TAG_RESOLVE_FAILED')
    .map(({ code, linePos, message }) => {
      const tag = /Unresolved tag: (\S+)/.exec(message)?.[1] ?? '';
      return { code, linePos, message: `unknown tag ${tag}: PyYAML's safe loader, which Ryax reads manifests with, cannot read it; remove the tag` };
    });
  const source = sourceOf(file, document.contents, lineCounter, [...document.errors, ...unknownTags], ({ line, column }) => ({
    line,
    column: Math.max(1, column - (added.get(line) ?? 0)),
  }));
  if (source.root === null) return source;
  const resolved = resolveAliases(source.root, { document, source, ancestors: [] });
  return { ...source, root: source.problems.length > 0 ? null : resolved };
}

type Walk = { readonly document: Document; readonly source: Source; readonly ancestors: Node[] };

/**
 * Replaces every alias by the node it names (anchors come before their aliases, so that node is
 * already resolved) and merges `<<` keys, depth first, in document order.
 */
function resolveAliases(node: Node, walk: Walk): Node {
  if (isAlias(node)) {
    const target = node.resolve(walk.document);
    if (target === undefined) return node;
    if (walk.ancestors.includes(target)) {
      walk.source.report(node, 'yaml_syntax', `alias *${node.source} is inside the node it names; a manifest cannot be recursive`);
      return node;
    }
    return target;
  }
  if (!isMap(node) && !isSeq(node)) {
    if (isScalar(node) && node.type === Scalar.PLAIN && (node.value === '<<' || node.value === '=')) {
      walk.source.report(node, 'yaml_syntax', `PyYAML, which Ryax reads manifests with, cannot read a plain ${node.value} as a value; quote it: "${node.value}"`);
    }
    return node;
  }
  walk.ancestors.push(node);
  if (isSeq(node)) node.items = node.items.map((item) => (isNode(item) ? resolveAliases(item, walk) : item));
  else {
    for (const pair of node.items) {
      if (isNode(pair.key) && !isScalar(pair.key)) pair.key = resolveAliases(pair.key, walk);
      if (isNode(pair.value)) pair.value = resolveAliases(pair.value, walk);
    }
    mergeKeys(node, walk.source);
  }
  walk.ancestors.pop();
  return node;
}

/**
 * `<<: *defaults` or `<<: [*a, *b]`, as PyYAML merges them: the mapping's own keys win over merged
 * ones, and an earlier mapping of the list wins over a later one. Merged fields keep the position
 * of the mapping they come from.
 */
function mergeKeys(map: YAMLMap, source: Source): void {
  const own: Pair[] = [];
  const merged: Pair[] = [];
  for (const pair of map.items as Pair[]) {
    if (!isMergeKey(pair.key)) {
      own.push(pair);
      continue;
    }
    const value = pair.value;
    const mappings = isMap(value) ? [value] : isSeq(value) && value.items.every(isMap) ? [...(value.items as YAMLMap[])].reverse() : undefined;
    if (mappings === undefined) source.report(isNode(value) ? value : (pair.key as Node), 'not_a_mapping', 'a merge key (<<) takes a mapping or a list of mappings');
    else for (const mapping of mappings) merged.push(...(mapping.items as Pair[]));
  }
  if (own.length < map.items.length) map.items = [...merged, ...own];
}

/** A plain `<<` key (a quoted "<<" is an ordinary key). */
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && key.type === Scalar.PLAIN && key.value === '<<';
}

function isNode(value: unknown): value is Node {
  return isAlias(value) || isScalar(value) || isMap(value) || isSeq(value);
}
