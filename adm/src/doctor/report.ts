import type { Check, CheckStatus } from './check.js';

const LABEL: Record<CheckStatus, string> = { ok: 'ok', warn: 'warn', fail: 'FAIL' };

/** One line per finding (`FAIL broker  every service: connection refused … (is RabbitMQ running? …)`), then a summary. */
export function reportLines(checks: readonly Check[]): string[] {
  const width = Math.max(0, ...checks.map((c) => c.check.length));
  const lines = checks.map((c) => `${LABEL[c.status].padEnd(4)} ${c.check.padEnd(width)}  ${c.subject}: ${c.detail}${c.hint ? ` (${c.hint})` : ''}`);
  return [...lines, summaryLine(checks)];
}

export function summaryLine(checks: readonly Check[]): string {
  const count = (status: CheckStatus) => checks.filter((c) => c.status === status).length;
  const failures = count('fail');
  const warnings = count('warn');
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const counts = `${plural(count('ok'), 'ok', 'ok')}, ${plural(warnings, 'warning', 'warnings')}, ${plural(failures, 'failure', 'failures')}`;
  if (failures > 0) return `doctor: ${counts}: not all is well (see the FAIL lines; docs/operations.md#doctor explains each)`;
  if (warnings > 0) return `doctor: ${counts}: working, with warnings`;
  return `doctor: ${counts}: all is well`;
}
