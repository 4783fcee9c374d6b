import Table from 'cli-table3';
import pc from 'picocolors';

/** Colours only on a terminal, and never with NO_COLOR or --no-color (picocolors reads both). */
export const colors = pc.createColors(pc.isColorSupported && process.stdout.isTTY === true && !process.env['NO_COLOR']);

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** Progress and notes go to stderr, so stdout stays what a script reads. */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

const borderless = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};

/** A table as kubectl prints one: upper-case headings, columns apart, no borders. */
export function printTable(head: readonly string[], rows: readonly (readonly unknown[])[]): void {
  if (rows.length === 0) {
    note(colors.dim('(none)'));
    return;
  }
  const table = new Table({ head: head.map((title) => colors.bold(title.toUpperCase())), chars: borderless, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 } });
  for (const row of rows) table.push(row.map((cell) => (cell === null || cell === undefined ? '-' : String(cell))));
  printLine(table.toString().split('\n').map((line) => line.trimEnd()).join('\n'));
}

/** `key: value` lines for one resource. */
export function printFields(fields: readonly (readonly [string, unknown])[]): void {
  const width = Math.max(...fields.map(([key]) => key.length));
  for (const [key, value] of fields) printLine(`${colors.dim(`${key}:`.padEnd(width + 1))} ${value === null || value === undefined ? '-' : String(value)}`);
}

const statusColors: Record<string, (text: string) => string> = {
  succeeded: colors.green, ready: colors.green, deployed: colors.green, built: colors.green, ok: colors.green, valid: colors.green,
  failed: colors.red, error: colors.red, invalid: colors.red, canceled: colors.yellow, skipped: colors.dim,
  running: colors.cyan, queued: colors.dim, pending: colors.dim, retrying: colors.yellow, building: colors.cyan, deploying: colors.cyan,
};

export function colorStatus(status: string): string {
  return (statusColors[status] ?? ((text: string) => text))(status);
}

/** `1.2 s`, `340 ms`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
