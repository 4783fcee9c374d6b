import { Graph as Dagre, layout as dagreLayout } from '@dagrejs/dagre';
import type { Graph } from './graph.js';

export type Position = { x: number; y: number };

export const NODE_WIDTH = 200;

/** A node's height from its ports (the canvas draws one row per port). */
export function nodeHeight(node: Graph['nodes'][number]): number {
  const rows = node.kind === 'step' ? Math.max(node.inputs.length, node.outputs.length) : node.kind === 'trigger' ? node.outputs.length : node.names.length + 1;
  return 64 + rows * 24;
}

/** Left to right, by dependency (dagre), as top-left positions for xyflow. */
export function autoLayout(graph: Graph): Record<string, Position> {
  const g = new Dagre();
  g.setGraph({ rankdir: 'LR', nodesep: 30, ranksep: 60, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) g.setNode(node.id, { width: NODE_WIDTH, height: nodeHeight(node) });
  for (const edge of graph.edges) g.setEdge(edge.source, edge.target);
  // Steps that nothing links still sit after the trigger and before the results.
  for (const node of graph.nodes) {
    if (node.kind !== 'step') continue;
    if (!graph.edges.some((edge) => edge.target === node.id)) g.setEdge('trigger', node.id);
    if (!graph.edges.some((edge) => edge.source === node.id)) g.setEdge(node.id, 'results');
  }
  dagreLayout(g);
  const positions: Record<string, Position> = {};
  for (const node of graph.nodes) {
    const placed = g.node(node.id);
    positions[node.id] = { x: placed.x - NODE_WIDTH / 2, y: placed.y - nodeHeight(node) / 2 };
  }
  return positions;
}
