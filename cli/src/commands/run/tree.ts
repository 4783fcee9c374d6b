import { colorStatus, colors, formatDuration } from '../../output.js';
import type { AttemptLogs, RunDetail, RunStep, StepAttempt } from '../workflow/api-types.js';

/** A foreach step's items as their logs tell them (each item is the step `id[index]`). */
export type Items = ReadonlyMap<string, readonly { index: number; attempts: readonly AttemptLogs[] }[]>;

type Node = { text: string; children: Node[] };

const started = (step: { started_at: string | null }) => (step.started_at ? Date.parse(step.started_at) : Number.POSITIVE_INFINITY);

/** The steps in the order the DAG ran them (by start); those not reached keep the document's order, after. */
export function dagOrder<T extends { started_at: string | null }>(steps: readonly T[]): T[] {
  return steps.map((step, index) => ({ step, index })).sort((a, b) => started(a.step) - started(b.step) || a.index - b.index).map(({ step }) => step);
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
const errorText = (error: { code: string; message: string } | null) => (error ? colors.red(`${error.code}: ${error.message}`) : '');

function attemptNode(attempt: StepAttempt): Node {
  return { text: [`attempt ${attempt.attempt}`, colorStatus(attempt.status), formatDuration(attempt.duration_ms), errorText(attempt.error)].filter(Boolean).join('  '), children: [] };
}

function itemNode(id: string, item: { index: number; attempts: readonly AttemptLogs[] }): Node {
  const last = item.attempts.at(-1);
  const attempts = item.attempts.length > 1 ? item.attempts.map(attemptNode) : [];
  return {
    text: [`${id}[${item.index}]`, colorStatus(last?.status ?? 'pending'), plural(item.attempts.length, 'attempt'), formatDuration(last?.duration_ms), errorText(last?.error ?? null)].filter(Boolean).join('  '),
    children: attempts,
  };
}

type Widths = { id: number; action: number; status: number };

const actionOf = (step: RunStep) => step.action || (step.signal ? `wait for ${step.signal}` : '');

/** Columns of sibling steps line up: each padded to the widest (before colouring, which adds invisible characters). */
function widthsOf(steps: readonly RunStep[]): Widths {
  const widest = (texts: readonly string[]) => Math.max(0, ...texts.map((text) => text.length));
  return { id: widest(steps.map((step) => step.id)), action: widest(steps.map(actionOf)), status: widest(steps.map((step) => step.status)) };
}

function stepNode(step: RunStep, items: Items, widths: Widths, rerun: boolean): Node {
  const counts = step.items ? Object.entries(step.items).map(([status, count]) => `${count} ${status}`).join(', ') : '';
  // A re-run from where the first failed takes the steps that had succeeded as they were: no attempt.
  const reused = rerun && step.status === 'succeeded' && step.attempts.length === 0 && !step.items;
  const tries = step.items ? `items: ${counts}` : reused ? 'reused' : plural(step.attempts.length, 'attempt');
  const itemNodes = (items.get(step.id) ?? []).map((item) => itemNode(step.id, item));
  return {
    text: [colors.bold(step.id.padEnd(widths.id)), actionOf(step).padEnd(widths.action), colorStatus(step.status) + ' '.repeat(widths.status - step.status.length), tries,
      reused ? '' : formatDuration(step.duration_ms), errorText(step.error)].filter(Boolean).join('  '),
    children: [...(step.attempts.length > 1 ? step.attempts.map(attemptNode) : []), ...itemNodes],
  };
}

function render(nodes: readonly Node[], indent: string): string[] {
  return nodes.flatMap((node, index) => {
    const last = index === nodes.length - 1;
    return [`${indent}${last ? '└─ ' : '├─ '}${node.text}`, ...render(node.children, `${indent}${last ? '   ' : '│  '}`)];
  });
}

/** The run as a tree: its steps in DAG order, each with its attempts (when it retried) and its foreach items; the compensations after. */
export function runTree(run: RunDetail, items: Items): string[] {
  const head = [colors.bold(`run ${run.id}`), `${run.workflow} v${run.version}`, colorStatus(run.status), formatDuration(run.duration_ms)].join('  ');
  const rerun = run.rerun_of !== null;
  const widths = widthsOf([...run.steps, ...run.compensations]);
  const steps: Node[] = dagOrder(run.steps).map((step) => stepNode(step, items, widths, rerun));
  const compensations: Node[] = run.compensations.length > 0
    ? [{ text: colors.bold('compensations'), children: run.compensations.map((step) => stepNode(step, items, widths, rerun)) }]
    : [];
  return [head, ...render([...steps, ...compensations], '')];
}
