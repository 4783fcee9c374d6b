/** Resource quantities as a manifest writes them, turned into numbers. Pure; messages say the expected forms. */

import type { Parsed } from '@trellis/kernel/quantities';

// cpu and memory read the same in a workflow step: the kernel holds them for both.
export { parseCpu, parseMemory, type Parsed } from '@trellis/kernel/quantities';

const fail = (message: string): Parsed => ({ ok: false, message });
const shown = (value: unknown): string => (typeof value === 'string' ? `"${value}"` : String(value));

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_FORMS = 'expected a number with a unit: ms, s, m or h (500ms, 90s, 5m, 1h)';

/** `90s`, `5m`, `1h`, `500ms` → milliseconds. A bare number is refused: the unit is not obvious. */
export function parseDuration(value: unknown): Parsed {
  if (typeof value === 'string') {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
    const factor = DURATION_UNITS[match?.[2] ?? 'none'];
    if (match?.[1] !== undefined && factor !== undefined) {
      const ms = Math.round(Number(match[1]) * factor);
      if (ms > 0) return { ok: true, value: ms };
    }
  }
  const hint = typeof value === 'number' ? ' (a bare number has no unit)' : '';
  return fail(`bad timeout ${shown(value)}${hint}; ${DURATION_FORMS}`);
}
