import type { JsonValue } from '@trellis/action-manifest/definition';

/*
 * Recorded versus local: whether the replay reproduced the attempt (same status, same error
 * code), and both sides printed in two columns. Pure: no I/O, so it is tested on its own.
 */

export type Side = {
  readonly status: string;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly outputs: Readonly<Record<string, JsonValue | undefined>> | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number | null;
};

/**
 * The code the runner would have recorded for a local failure: it records an action's outputs
 * that do not fit (`bad_output`) as `step_failed`, like an action it could not reach.
 */
export function codeAsRecorded(code: string): string {
  return code === 'bad_output' || code === 'invalid_output' ? 'step_failed' : code;
}

/** The same outcome: the same status and, when failed, the same error code. */
export function sameOutcome(recorded: Side, local: Side): boolean {
  if (recorded.status !== local.status) return false;
  return (recorded.error ? codeAsRecorded(recorded.error.code) : null) === (local.error ? codeAsRecorded(local.error.code) : null);
}

const shown = (value: JsonValue | undefined): string => (value === undefined ? '-' : typeof value === 'string' ? value : JSON.stringify(value));

/** Each text cut into lines at most `width` long (a long line wraps). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const line of text.replace(/\n$/, '').split('\n')) {
    if (line.length <= width) lines.push(line);
    else for (let at = 0; at < line.length; at += width) lines.push(line.slice(at, at + width));
  }
  return lines;
}

/** Rows of `label | left | right`, the longer side setting the height. */
function rows(label: string, left: string, right: string, width: number): string[] {
  const leftLines = wrap(left, width);
  const rightLines = wrap(right, width);
  const height = Math.max(leftLines.length, rightLines.length);
  const labelWidth = 10;
  return Array.from({ length: height }, (_, i) => {
    const name = (i === 0 ? label : '').padEnd(labelWidth);
    return `${name} ${(leftLines[i] ?? '').padEnd(width)} │ ${rightLines[i] ?? ''}`.trimEnd();
  });
}

const errorText = (side: Side) => (side.error ? `${side.error.code}: ${side.error.message}` : '-');
const durationText = (side: Side) => (side.durationMs === null ? '-' : `${side.durationMs} ms`);

/**
 * Both sides, row by row: status, error, each output, duration, stdout, stderr; then the verdict.
 * `columns` is the terminal's width (each side gets about half).
 */
export function sideBySide(recorded: Side, local: Side, titles: { recorded: string; local: string }, columns = 120): string[] {
  const width = Math.max(20, Math.floor((columns - 14) / 2));
  const lines = [...rows('', titles.recorded, titles.local, width), `${'─'.repeat(11)}${'─'.repeat(width + 1)}┼${'─'.repeat(width + 1)}`];
  lines.push(...rows('status', recorded.status, local.status, width));
  lines.push(...rows('error', errorText(recorded), errorText(local), width));
  const names = [...new Set([...Object.keys(recorded.outputs ?? {}), ...Object.keys(local.outputs ?? {})])];
  for (const name of names) lines.push(...rows(`.${name}`, shown(recorded.outputs?.[name]), shown(local.outputs?.[name]), width));
  lines.push(...rows('duration', durationText(recorded), durationText(local), width));
  lines.push(...rows('stdout', recorded.stdout || '-', local.stdout || '-', width));
  lines.push(...rows('stderr', recorded.stderr || '-', local.stderr || '-', width));
  lines.push(verdict(recorded, local));
  return lines;
}

/** One sentence: reproduced or not, and how the sides differ. */
export function verdict(recorded: Side, local: Side): string {
  const outcome = (side: Side) => (side.error ? `${side.status} (${side.error.code})` : side.status);
  return sameOutcome(recorded, local)
    ? `reproduced: ${outcome(local)} locally as recorded`
    : `not reproduced: recorded ${outcome(recorded)}, local ${outcome(local)}`;
}
