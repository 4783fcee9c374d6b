import { Badge, Group, Stack, Text } from '@mantine/core';
import { Handle, Position, useUpdateNodeInternals, type Node, type NodeProps } from '@xyflow/react';
import { describeType } from '@trellis/workflow-language/value-types';
import { useEffect, type CSSProperties } from 'react';
import { DEPS, DONE, NEW_RESULT, inHandle, outHandle, type GraphNode } from './model/graph.js';
import { NODE_WIDTH } from './model/layout.js';

/*
 * The canvas's three kinds of node. Each port is a handle with `data-handle="in:<name>"` or
 * `out:<name>` and a title naming it and its type, on the row that names it.
 */

export type NodeData = {
  node: GraphNode;
  /** How many problems the node has, their messages, and those of each input or result by name. */
  problems: number;
  problemText: string;
  portProblems: Record<string, string>;
  readOnly: boolean;
  trigger?: string;
};
export type EditorNode = Node<NodeData>;

const ROW = 24;
const HEADER = 52;

const box = (selected: boolean, problems: number): CSSProperties => ({
  width: NODE_WIDTH,
  background: 'var(--mantine-color-body)',
  border: `${problems > 0 ? 2 : 1}px solid ${problems > 0 ? 'var(--mantine-color-red-6)' : selected ? 'var(--mantine-color-green-6)' : 'var(--mantine-color-default-border)'}`,
  borderRadius: 6,
  boxShadow: selected ? '0 0 0 3px var(--mantine-color-green-2)' : undefined,
  fontSize: 12,
});

const handleStyle = (row: number): CSSProperties => ({ top: HEADER + row * ROW + ROW / 2, width: 10, height: 10 });

/**
 * xyflow measures a node's handles when its size changes; ports renamed in place (a result renamed
 * in the YAML) keep the size, so it is told, or edges to the new handle would not be drawn.
 */
function useHandlesMeasured(id: string, handles: string) {
  const update = useUpdateNodeInternals();
  useEffect(() => update(id), [update, id, handles]);
}

function ProblemsBadge({ count, text }: { count: number; text: string }) {
  if (count === 0) return null;
  return <Badge color="red" size="xs" variant="filled" title={text}>{count} problem{count === 1 ? '' : 's'}</Badge>;
}

/** A port's name; red, with the problem as its title, when the port has one. */
function PortRow({ label, side, index, problem }: { label: string; side: 'left' | 'right'; index: number; problem?: string | undefined }) {
  return (
    <div data-port-problem={problem ? 'true' : undefined} title={problem}
      style={{ position: 'absolute', top: HEADER + index * ROW, height: ROW, lineHeight: `${ROW}px`, [side]: 12, maxWidth: NODE_WIDTH / 2 - 16, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', textAlign: side, color: problem ? 'var(--mantine-color-red-7)' : undefined, fontWeight: problem ? 700 : undefined }}>
      {problem ? '! ' : ''}{label}
    </div>
  );
}

export function TriggerNode({ id, data, selected }: NodeProps<EditorNode>) {
  const node = data.node;
  useHandlesMeasured(id, node.kind === 'trigger' ? node.outputs.map((port) => port.name).join(',') : '');
  if (node.kind !== 'trigger') return null;
  const rows = Math.max(node.outputs.length, 1);
  return (
    <div data-node="trigger" data-problems={data.problems} style={{ ...box(selected, data.problems), height: HEADER + rows * ROW + 8, position: 'relative' }}>
      <Stack gap={2} p={8}>
        <Group justify="space-between" wrap="nowrap"><Text fw={700} size="sm">Trigger</Text><ProblemsBadge count={data.problems} text={data.problemText} /></Group>
        <Text size="xs" c="dimmed">{data.trigger ?? ''}</Text>
      </Stack>
      {node.outputs.length === 0 && <PortRow label="no inputs declared" side="right" index={0} />}
      {node.outputs.map((port, index) => (
        <div key={port.name}>
          <PortRow label={port.name} side="right" index={index} />
          <Handle type="source" position={Position.Right} id={outHandle(port.name)} style={handleStyle(index)} isConnectable={!data.readOnly}
            data-handle={outHandle(port.name)} title={`${port.name}: ${describeType(port.type)}`} />
        </div>
      ))}
    </div>
  );
}

export function StepNode({ id, data, selected }: NodeProps<EditorNode>) {
  const node = data.node;
  useHandlesMeasured(id, node.kind === 'step' ? [...node.inputs, ...node.outputs].map((port) => port.name).join(',') : '');
  if (node.kind !== 'step') return null;
  const rows = Math.max(node.inputs.length, node.outputs.length, 1);
  return (
    <div data-step-id={node.stepId} data-problems={data.problems} style={{ ...box(selected, data.problems), height: HEADER + rows * ROW + 8, position: 'relative' }}>
      {/* What this step waits for (needs, when, foreach) and what waits for it. */}
      <Handle type="target" position={Position.Top} id={DEPS} isConnectable={!data.readOnly} data-handle={DEPS} title="Runs after (needs)" />
      <Stack gap={2} p={8}>
        <Group justify="space-between" wrap="nowrap"><Text fw={700} size="sm" truncate>{node.stepId}</Text><ProblemsBadge count={data.problems} text={data.problemText} /></Group>
        <Text size="xs" c={node.known ? 'dimmed' : 'red'} truncate>{node.action ?? (node.delay ? 'delay' : 'wait')}{node.known || !node.action ? '' : ' (not in the library)'}</Text>
      </Stack>
      {node.inputs.map((port, index) => (
        <div key={`in-${port.name}`}>
          <PortRow label={`${port.name}${port.optional ? '' : ' *'}`} side="left" index={index} problem={data.portProblems[port.name]} />
          <Handle type="target" position={Position.Left} id={inHandle(port.name)} style={handleStyle(index)} isConnectable={!data.readOnly}
            data-handle={inHandle(port.name)} title={`${port.name}: ${port.target.type}${port.optional ? ' (optional)' : ''}`} />
        </div>
      ))}
      {node.outputs.map((port, index) => (
        <div key={`out-${port.name}`}>
          <PortRow label={port.name} side="right" index={index} />
          <Handle type="source" position={Position.Right} id={outHandle(port.name)} style={handleStyle(index)} isConnectable={!data.readOnly}
            data-handle={outHandle(port.name)} title={`${port.name}: ${describeType(port.type)}`} />
        </div>
      ))}
      <Handle type="source" position={Position.Bottom} id={DONE} isConnectable={!data.readOnly} data-handle={DONE} title="Then (another step needs this one)" />
      {data.problems > 0 && <Text size="xs" c="red" style={{ position: 'absolute', bottom: -18, left: 4 }}>{data.problems} problem{data.problems === 1 ? '' : 's'}</Text>}
    </div>
  );
}

export function ResultsNode({ id, data, selected }: NodeProps<EditorNode>) {
  const node = data.node;
  useHandlesMeasured(id, node.kind === 'results' ? node.names.join(',') : '');
  if (node.kind !== 'results') return null;
  return (
    <div data-node="results" data-problems={data.problems} style={{ ...box(selected, data.problems), height: HEADER + (node.names.length + 1) * ROW + 8, position: 'relative' }}>
      <Stack gap={2} p={8}>
        <Group justify="space-between" wrap="nowrap"><Text fw={700} size="sm">Results</Text><ProblemsBadge count={data.problems} text={data.problemText} /></Group>
        <Text size="xs" c="dimmed">What a run gives back</Text>
      </Stack>
      {node.names.map((name, index) => (
        <div key={name}>
          <PortRow label={name} side="left" index={index} problem={data.portProblems[name]} />
          <Handle type="target" position={Position.Left} id={inHandle(name)} style={handleStyle(index)} isConnectable={!data.readOnly} data-handle={inHandle(name)} title={`${name}: a result`} />
        </div>
      ))}
      <PortRow label="+ new result" side="left" index={node.names.length} />
      <Handle type="target" position={Position.Left} id={NEW_RESULT} style={handleStyle(node.names.length)} isConnectable={!data.readOnly} data-handle={NEW_RESULT} title="A new result, named after the output" />
    </div>
  );
}

export const NODE_TYPES = { trigger: TriggerNode, step: StepNode, results: ResultsNode };
