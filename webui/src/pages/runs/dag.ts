import type { JsonValue } from '@trellis/kernel/io';
import { parseTemplate, templateReferences } from '@trellis/workflow-language/template';
import type { DraftStep } from '../../editor/draft.js';

/*
 * The edges of a workflow's DAG, as the runner orders its steps: a step runs after the steps its
 * values reference (`${{ steps.<id>... }}` in its inputs, `when` and `foreach`) and those it
 * `needs`. A compensation hangs off each step naming it in `on_failure` (drawn apart: it runs
 * only when that step fails for good).
 */

export type DagEdge = { from: string; to: string; kind: 'data' | 'compensation' };

/** The step ids a value references (`steps.<id>`), in order, once each; each string is read alone, so one that does not parse hides no other. */
export function stepsReferenced(value: JsonValue | undefined): string[] {
  const ids: string[] = [];
  const visit = (item: JsonValue | undefined) => {
    if (typeof item === 'string') {
      const parsed = parseTemplate(item);
      if (!parsed.ok) return;
      for (const reference of templateReferences(parsed.template)) {
        if (reference.root === 'steps' && typeof reference.path[0] === 'string') ids.push(reference.path[0]);
      }
    } else if (Array.isArray(item)) item.forEach(visit);
    else if (item !== null && typeof item === 'object') Object.values(item).forEach(visit);
  };
  visit(value);
  return [...new Set(ids)];
}

/** Every edge between the document's steps (edges to unknown steps are left out: the document had a problem). */
export function dagEdges(steps: readonly DraftStep[]): DagEdge[] {
  const known = new Set(steps.map((step) => step.id));
  const edges: DagEdge[] = [];
  const seen = new Set<string>();
  const add = (edge: DagEdge) => {
    const key = `${edge.from}->${edge.to}`;
    if (edge.from === edge.to || !known.has(edge.from) || !known.has(edge.to) || seen.has(key)) return;
    seen.add(key);
    edges.push(edge);
  };
  for (const step of steps) {
    const upstream = [
      ...(step.needs ?? []),
      ...stepsReferenced((step.inputs ?? {}) as JsonValue),
      ...stepsReferenced(step.when),
      ...stepsReferenced(step.foreach),
    ];
    for (const from of upstream) add({ from, to: step.id, kind: 'data' });
    if (step.on_failure) add({ from: step.id, to: step.on_failure, kind: 'compensation' });
  }
  return edges;
}
