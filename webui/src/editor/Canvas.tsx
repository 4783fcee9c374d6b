import { notifications } from '@mantine/notifications';
import {
  Background, Controls, MarkerType, ReactFlow, ReactFlowProvider, applyEdgeChanges, applyNodeChanges, useReactFlow,
  type Edge, type EdgeChange, type FinalConnectionState, type IsValidConnection, type NodeChange, type OnDelete,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import type { ActionSummary } from '../api/library.js';
import { problemsAt, type DraftProblem, type WorkflowDraft } from './draft.js';
import { addStep, connect, connectionRefusal, disconnect, removeStep, type Connection } from './model/edit.js';
import { draftToGraph, stepIdOfNode, stepNodeId, type EdgeMeaning, type GraphNode } from './model/graph.js';
import { autoLayout, type Position } from './model/layout.js';
import { NODE_TYPES, type EditorNode } from './nodes.js';

/** The MIME type a palette item's drag carries: the action's id. */
export const ACTION_DRAG_TYPE = 'application/x-trellis-action';

export type CanvasProps = {
  draft: WorkflowDraft;
  actions: readonly ActionSummary[];
  problems: readonly DraftProblem[];
  readOnly: boolean;
  /** The selected node's id (`trigger`, `results`, `step:<id>`), if any. */
  selected: string | undefined;
  onSelect: (nodeId: string | undefined) => void;
  change: (next: (draft: WorkflowDraft) => WorkflowDraft) => void;
  /** Bumped to lay the whole graph out again. */
  layoutRequest: number;
};

type EdgeData = { meaning: EdgeMeaning };

function problemsOf(node: GraphNode, problems: readonly DraftProblem[]): DraftProblem[] {
  if (node.kind === 'step') return problemsAt(problems, `steps[${node.index}]`);
  if (node.kind === 'trigger') return problemsAt(problems, 'trigger');
  return problemsAt(problems, 'results');
}

/** The problems of each port (`steps[1].inputs.n` is the `in:n` port's; `results.total` the result's). */
function portProblems(node: GraphNode, found: readonly DraftProblem[]): Record<string, string> {
  const prefix = node.kind === 'step' ? `steps[${node.index}].inputs.` : node.kind === 'results' ? 'results.' : undefined;
  const ports: Record<string, string> = {};
  if (!prefix) return ports;
  for (const problem of found) {
    if (!problem.path.startsWith(prefix)) continue;
    const name = /^[^.[]+/.exec(problem.path.slice(prefix.length))?.[0];
    if (name) ports[name] = ports[name] ? `${ports[name]}\n${problem.message}` : problem.message;
  }
  return ports;
}

const TRIGGER_WORDS: Record<string, string> = { http: 'HTTP', manual: 'Manual', schedule: 'Schedule', action: 'Trigger action' };

function Flow({ draft, actions, problems, readOnly, selected, onSelect, change, layoutRequest }: CanvasProps) {
  const flow = useReactFlow();
  const graph = useMemo(() => draftToGraph(draft, actions), [draft, actions]);
  const positions = useRef<Record<string, Position>>({});
  const [nodes, setNodes] = useState<EditorNode[]>([]);
  const [edges, setEdges] = useState<Edge<EdgeData>[]>([]);
  const laidOut = useRef(-1);

  // The graph (from the draft) into xyflow's nodes, keeping what xyflow measured and where people put them.
  useEffect(() => {
    const relayout = laidOut.current !== layoutRequest;
    const missing = graph.nodes.some((node) => positions.current[node.id] === undefined);
    if (relayout || missing) {
      const placed = autoLayout(graph);
      for (const node of graph.nodes) if (relayout || positions.current[node.id] === undefined) positions.current[node.id] = placed[node.id] ?? { x: 0, y: 0 };
    }
    setNodes((previous) => {
      const before = new Map(previous.map((node) => [node.id, node]));
      return graph.nodes.map((node): EditorNode => {
        const found = problemsOf(node, problems);
        return {
        ...(before.get(node.id) ?? {}),
        id: node.id,
        type: node.kind,
        position: positions.current[node.id] ?? { x: 0, y: 0 },
        data: {
          node, problems: found.length, problemText: found.map((problem) => problem.message).join('\n'), portProblems: portProblems(node, found), readOnly,
          trigger: TRIGGER_WORDS[draft.trigger?.type ?? ''] ?? String(draft.trigger?.type ?? 'none'),
        },
        selected: node.id === selected,
        deletable: !readOnly && node.kind === 'step',
        connectable: !readOnly,
        };
      });
    });
    setEdges((previous) => {
      const chosen = new Set(previous.filter((edge) => edge.selected).map((edge) => edge.id));
      return graph.edges.map((edge): Edge<EdgeData> => ({
        id: edge.id, source: edge.source, sourceHandle: edge.sourceHandle, target: edge.target, targetHandle: edge.targetHandle,
        data: { meaning: edge.meaning }, selected: chosen.has(edge.id), deletable: !readOnly,
        markerEnd: { type: MarkerType.ArrowClosed },
        ...(edge.meaning.kind === 'input' || edge.meaning.kind === 'result' ? {} : { style: { strokeDasharray: '5 4' }, label: edge.meaning.kind }),
        ariaLabel: `${edge.source} to ${edge.target} (${edge.targetHandle})`,
      }));
    });
    if (relayout) {
      laidOut.current = layoutRequest;
      // After xyflow has the new positions.
      requestAnimationFrame(() => void flow.fitView({ padding: 0.15, maxZoom: 1 }));
    }
  }, [graph, problems, readOnly, selected, layoutRequest, draft.trigger, flow]);

  const onNodesChange = useCallback((changes: NodeChange<EditorNode>[]) => {
    for (const item of changes) {
      if (item.type === 'position' && item.position) positions.current[item.id] = item.position;
      if (item.type === 'select' && item.selected) onSelect(item.id);
    }
    // Removals go through onDelete (the draft changes; the nodes follow it).
    setNodes((current) => applyNodeChanges(changes.filter((item) => item.type !== 'remove'), current));
  }, [onSelect]);

  const onEdgesChange = useCallback((changes: EdgeChange<Edge<EdgeData>>[]) => {
    setEdges((current) => applyEdgeChanges(changes.filter((item) => item.type !== 'remove'), current));
  }, []);

  const onDelete: OnDelete<EditorNode, Edge<EdgeData>> = useCallback(({ nodes: gone, edges: cut }) => {
    if (readOnly) return;
    const removed = gone.flatMap((node) => {
      const id = stepIdOfNode(node.id);
      return id === undefined ? [] : [id];
    });
    change((current) => {
      // Edges first (their meanings name steps by place), then the steps with every reference to them.
      let next = current;
      const alone = cut.filter((edge) => !gone.some((node) => node.id === edge.source || node.id === edge.target));
      for (const edge of alone) if (edge.data) next = disconnect(next, edge.data.meaning);
      for (const id of removed) next = removeStep(next, id);
      return next;
    });
    if (removed.some((id) => selected === stepNodeId(id))) onSelect(undefined);
  }, [change, readOnly, selected, onSelect]);

  const isValidConnection: IsValidConnection = useCallback((connection) => connectionRefusal(draft, actions, connection as Connection) === undefined, [draft, actions]);

  const onConnect = useCallback((connection: Connection) => {
    const made = connect(draft, actions, connection);
    if (made.ok) change(() => made.draft);
  }, [draft, actions, change]);

  /** A drop refused while dragging: say why (xyflow only marks it). */
  const onConnectEnd = useCallback((_event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
    if (state.isValid || !state.toHandle || !state.fromHandle) return;
    const fromSource = state.fromHandle.type === 'source';
    const connection: Connection = fromSource
      ? { source: state.fromHandle.nodeId, sourceHandle: state.fromHandle.id, target: state.toHandle.nodeId, targetHandle: state.toHandle.id }
      : { source: state.toHandle.nodeId, sourceHandle: state.toHandle.id, target: state.fromHandle.nodeId, targetHandle: state.fromHandle.id };
    if (state.toHandle.type === state.fromHandle.type) return;
    const reason = connectionRefusal(draft, actions, connection);
    if (reason) notifications.show({ color: 'red', title: 'Not connected', message: reason, autoClose: 8000 });
  }, [draft, actions]);

  const onDragOver = useCallback((event: DragEvent) => {
    if (readOnly || !event.dataTransfer.types.includes(ACTION_DRAG_TYPE)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, [readOnly]);

  const onDrop = useCallback((event: DragEvent) => {
    const actionId = event.dataTransfer.getData(ACTION_DRAG_TYPE);
    if (readOnly || !actionId) return;
    event.preventDefault();
    const at = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
    const { draft: next, stepId } = addStep(draft, actionId);
    positions.current[stepNodeId(stepId)] = at;
    change(() => next);
    onSelect(stepNodeId(stepId));
  }, [readOnly, flow, draft, change, onSelect]);

  return (
    <ReactFlow<EditorNode, Edge<EdgeData>>
      nodes={nodes} edges={edges} nodeTypes={NODE_TYPES}
      onNodesChange={onNodesChange} onEdgesChange={onEdgesChange} onDelete={onDelete}
      onConnect={onConnect} onConnectEnd={onConnectEnd} isValidConnection={isValidConnection}
      onPaneClick={() => onSelect(undefined)}
      onDragOver={onDragOver} onDrop={onDrop}
      nodesConnectable={!readOnly} nodesDraggable edgesFocusable elementsSelectable
      deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
      minZoom={0.2} maxZoom={2} proOptions={{ hideAttribution: true }}
      ariaLabelConfig={{ 'node.a11yDescription.default': 'Press Enter or Space to select the node, Delete to remove a step, arrow keys to move it.' }}
    >
      <Background gap={16} />
      <Controls showInteractive={false} />
    </ReactFlow>
  );
}

export function Canvas(props: CanvasProps) {
  return (
    <section aria-label="Canvas" style={{ height: '100%', minHeight: 480, border: '1px solid var(--mantine-color-default-border)', borderRadius: 6 }}>
      <ReactFlowProvider>
        <Flow {...props} />
      </ReactFlowProvider>
    </section>
  );
}
