import dagre from '@dagrejs/dagre';
import { Text } from '@mantine/core';
import { Handle, MarkerType, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import { useElementSize } from '@mantine/hooks';
import { useMemo } from 'react';
import { StatusBadge } from './StatusBadge.js';

/*
 * A workflow's DAG drawn read-only: each step a node coloured by its status, with the status
 * written in it (never the colour alone); laid out top to bottom by dagre. Clicking a node
 * (or pressing Enter on it) selects the step.
 */

export type GraphStep = { id: string; label: string; status: string };
export type GraphEdge = { from: string; to: string; kind: 'data' | 'compensation' };

const WIDTH = 220;
const HEIGHT = 64;

const COLOR: Record<string, string> = {
  succeeded: 'green', failed: 'red', running: 'blue', retrying: 'yellow', waiting: 'grape', canceled: 'orange', skipped: 'gray', pending: 'gray',
};

type StepNode = Node<GraphStep & { selected: boolean }, 'step'>;

function StepNodeView({ data }: NodeProps<StepNode>) {
  const color = COLOR[data.status] ?? 'gray';
  return (
    <div
      data-step-id={data.id} data-status={data.status}
      style={{
        width: WIDTH, height: HEIGHT, boxSizing: 'border-box', padding: '6px 10px', borderRadius: 6, cursor: 'pointer',
        border: `${data.selected ? 3 : 2}px solid var(--mantine-color-${color}-6)`,
        background: `var(--mantine-color-${color}-light)`, color: 'var(--mantine-color-text)',
      }}
    >
      <Handle type="target" position={Position.Top} isConnectable={false} style={{ visibility: 'hidden' }} />
      <div style={{ display: 'flex', gap: 6, alignItems: 'center', justifyContent: 'space-between' }}>
        <Text size="sm" fw={600} truncate="end">{data.id}</Text>
        {/* The badge keeps its whole word: the id gives way first. */}
        <span style={{ display: 'inline-flex', minWidth: 'max-content', flexShrink: 0 }}><StatusBadge status={data.status} /></span>
      </div>
      <Text size="xs" c="dimmed" truncate="end" title={data.label}>{data.label}</Text>
      <Handle type="source" position={Position.Bottom} isConnectable={false} style={{ visibility: 'hidden' }} />
    </div>
  );
}

const nodeTypes = { step: StepNodeView };

/** Positions from dagre, top to bottom; returns the drawing's height too. */
function layout(steps: readonly GraphStep[], edges: readonly GraphEdge[]): { positions: Map<string, { x: number; y: number }>; width: number; height: number } {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 40, marginx: 10, marginy: 10 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const step of steps) graph.setNode(step.id, { width: WIDTH, height: HEIGHT });
  for (const edge of edges) graph.setEdge(edge.from, edge.to);
  dagre.layout(graph);
  const positions = new Map<string, { x: number; y: number }>();
  for (const step of steps) {
    const node = graph.node(step.id);
    positions.set(step.id, { x: node.x - WIDTH / 2, y: node.y - HEIGHT / 2 });
  }
  return { positions, width: graph.graph().width ?? WIDTH, height: graph.graph().height ?? HEIGHT };
}

export function RunGraph({ steps, edges, selected, onSelect }: { steps: readonly GraphStep[]; edges: readonly GraphEdge[]; selected?: string | undefined; onSelect: (id: string) => void }) {
  // The layout depends on the shape only: a status change recolours without moving anything.
  const shape = `${steps.map((step) => step.id).join(',')}|${edges.map((edge) => `${edge.from}>${edge.to}`).join(',')}`;
  const { positions, width, height } = useMemo(() => layout(steps, edges), [shape]);
  // The box is as tall as the drawing once scaled to the box's width (never above 1:1), so a
  // narrow screen gets a shorter box rather than a tall empty one around tiny nodes.
  const { ref, width: boxWidth } = useElementSize();
  const scale = boxWidth > 0 ? Math.min(1, boxWidth / (width + 20)) : 1;
  const boxHeight = Math.min(480, Math.max(120, Math.ceil(height * scale) + 30));
  const nodes: StepNode[] = steps.map((step) => ({
    id: step.id, type: 'step', position: positions.get(step.id) ?? { x: 0, y: 0 },
    data: { ...step, selected: step.id === selected },
    ariaLabel: `Step ${step.id}: ${step.status}`,
  }));
  const lines: Edge[] = edges.map((edge) => ({
    id: `${edge.from}->${edge.to}`, source: edge.from, target: edge.to, markerEnd: { type: MarkerType.ArrowClosed },
    ...(edge.kind === 'compensation' ? { style: { strokeDasharray: '6 4', stroke: 'var(--mantine-color-orange-6)' }, label: 'on failure' } : {}),
  }));
  return (
    <div ref={ref} style={{ height: boxHeight, width: '100%', border: '1px solid var(--mantine-color-default-border)', borderRadius: 6 }}>
      {/* Fitted once per box size: a new box (the first measure, a resize) draws it again. */}
      {boxWidth > 0 && <ReactFlow key={`${Math.round(boxWidth)}x${boxHeight}`}
        nodes={nodes} edges={lines} nodeTypes={nodeTypes} fitView fitViewOptions={{ padding: 0.04, maxZoom: 1 }}
        nodesDraggable={false} nodesConnectable={false} elementsSelectable={false} nodesFocusable edgesFocusable={false}
        zoomOnScroll={false} preventScrolling={false} minZoom={0.3} proOptions={{ hideAttribution: true }}
        onNodeClick={(_, node) => onSelect(node.id)}
        onKeyDown={(event) => {
          const id = (event.target as HTMLElement).closest('.react-flow__node')?.getAttribute('data-id');
          if (id && (event.key === 'Enter' || event.key === ' ')) {
            event.preventDefault();
            onSelect(id);
          }
        }}
      />}
    </div>
  );
}
