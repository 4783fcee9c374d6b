import type { ActionSummary } from '../../api/library.js';
import type { Json, WorkflowDraft } from '../draft.js';
import { stepInputs, stepOutputs, triggerOutputs, type InPort, type OutPort } from './ports.js';
import { sourcesOf, type ValueSource } from './references.js';

/*
 * The draft as a graph: the trigger, one node per step, the results; an edge per reference
 * (`${{ trigger.x }}`, `${{ steps.a.x }}`) in a step's inputs, `when` or `foreach` or in a result,
 * and per `needs` entry. Pure data: the canvas turns it into xyflow nodes and edges.
 */

export const TRIGGER = 'trigger';
export const RESULTS = 'results';
/** A step's node-level handles: what waits for it (`done`, its `needs` side) and what it waits for (`deps`). */
export const DONE = 'done';
export const DEPS = 'deps';
/** The results node's handle that adds a new result. */
export const NEW_RESULT = 'in:+';

export const stepNodeId = (id: string) => `step:${id}`;
export const stepIdOfNode = (nodeId: string): string | undefined => (nodeId.startsWith('step:') ? nodeId.slice(5) : undefined);
export const outHandle = (name: string) => `out:${name}`;
export const inHandle = (name: string) => `in:${name}`;
export const portOfHandle = (handle: string | null | undefined, side: 'in' | 'out'): string | undefined =>
  handle?.startsWith(`${side}:`) ? handle.slice(side.length + 1) : undefined;

export type GraphNode =
  | { kind: 'trigger'; id: typeof TRIGGER; outputs: OutPort[] }
  | { kind: 'step'; id: string; index: number; stepId: string; action: string | undefined; known: boolean; inputs: InPort[]; outputs: OutPort[]; delay?: boolean }
  | { kind: 'results'; id: typeof RESULTS; names: string[] };

/** What an edge stands for in the document, so deleting it can undo exactly that. */
export type EdgeMeaning =
  | { kind: 'input'; step: number; input: string; source: ValueSource }
  | { kind: 'when' | 'foreach'; step: number; source: ValueSource }
  | { kind: 'needs'; step: number; needs: string }
  | { kind: 'result'; name: string; source: ValueSource };

export type GraphEdge = { id: string; source: string; sourceHandle: string; target: string; targetHandle: string; meaning: EdgeMeaning };

export type Graph = { nodes: GraphNode[]; edges: GraphEdge[] };

export function draftToGraph(draft: WorkflowDraft, actions: readonly ActionSummary[]): Graph {
  const steps = Array.isArray(draft.steps) ? draft.steps : [];
  const triggerNode: GraphNode = { kind: 'trigger', id: TRIGGER, outputs: triggerOutputs(draft.trigger, actions) };
  const stepNodes = steps.map((step, index): GraphNode & { kind: 'step' } => ({
    kind: 'step', id: stepNodeId(step.id), index, stepId: step.id, action: step.action, ...(step.wait?.for !== undefined ? { delay: true } : {}),
    known: actions.some((action) => step.action !== undefined && (action.id === step.action || step.action.startsWith(`${action.id}@`))),
    inputs: stepInputs(step, actions), outputs: stepOutputs(step, actions),
  }));
  const results = draft.results && typeof draft.results === 'object' ? draft.results : {};
  const resultsNode: GraphNode = { kind: 'results', id: RESULTS, names: Object.keys(results) };
  const byStepId = new Map(stepNodes.map((node) => [node.stepId, node]));

  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  const add = (edge: Omit<GraphEdge, 'id'>) => {
    const id = `${edge.source}/${edge.sourceHandle}->${edge.target}/${edge.targetHandle}`;
    if (seen.has(id)) return;
    seen.add(id);
    edges.push({ id, ...edge });
  };
  /** Where a reference starts: an output's handle when the node has it, else the node's own. */
  const from = (source: ValueSource): { source: string; sourceHandle: string } | undefined => {
    if (source.kind === 'trigger') {
      return triggerNode.outputs.some((port) => port.name === source.name) ? { source: TRIGGER, sourceHandle: outHandle(source.name) } : undefined;
    }
    const node = byStepId.get(source.step);
    if (!node) return undefined;
    return node.outputs.some((port) => port.name === source.output) && source.output !== undefined
      ? { source: node.id, sourceHandle: outHandle(source.output) }
      : { source: node.id, sourceHandle: DONE };
  };

  steps.forEach((step, index) => {
    const node = stepNodes[index];
    if (!node) return;
    for (const [input, value] of Object.entries(step.inputs ?? {})) {
      const targetHandle = node.inputs.some((port) => port.name === input) ? inHandle(input) : DEPS;
      for (const source of sourcesOf(value)) {
        const start = from(source);
        if (start) add({ ...start, target: node.id, targetHandle, meaning: { kind: 'input', step: index, input, source } });
      }
    }
    for (const field of ['when', 'foreach'] as const) {
      for (const source of sourcesOf(step[field] as Json | undefined)) {
        const start = from(source);
        if (start) add({ ...start, target: node.id, targetHandle: DEPS, meaning: { kind: field, step: index, source } });
      }
    }
    for (const needs of Array.isArray(step.needs) ? step.needs : []) {
      const upstream = byStepId.get(needs);
      if (upstream) add({ source: upstream.id, sourceHandle: DONE, target: node.id, targetHandle: DEPS, meaning: { kind: 'needs', step: index, needs } });
    }
  });
  for (const [name, value] of Object.entries(results)) {
    for (const source of sourcesOf(value)) {
      const start = from(source);
      if (start) add({ ...start, target: RESULTS, targetHandle: inHandle(name), meaning: { kind: 'result', name, source } });
    }
  }
  return { nodes: [triggerNode, ...stepNodes, resultsNode], edges };
}
