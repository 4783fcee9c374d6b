// Durations as workflows write them (timeouts, delays between retries).

const UNITS = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
] as const;

const PART = /^(\d+)(?:\.(\d+))?(ms|d|h|m|s)/;

/**
 * '500ms', '1s', '1.5s', '2m', '1h30m', '1d', '0', or the number 0 -> milliseconds; anything else
 * (negative, bare numbers other than 0, unknown units, empty) -> undefined.
 *
 * A duration is one or more parts `<number><unit>` with the units d, h, m, s, ms, each at most once
 * and from the largest to the smallest ('1h30m', not '30m1h'); a part may have a decimal fraction as
 * long as the total is a whole number of milliseconds ('1.5s' is 1500, '1.5ms' is refused). No
 * spaces, no sign, lower-case units.
 */
export function parseDuration(value: unknown): number | undefined {
  if (value === 0 || value === '0') return 0;
  if (typeof value !== 'string' || value === '') return undefined;
  let rest = value;
  let total = 0;
  let lastUnit = -1;
  while (rest !== '') {
    const match = PART.exec(rest);
    if (!match) return undefined;
    const [text, whole = '', fraction = '', unit] = match;
    const unitIndex = UNITS.findIndex(([name]) => name === unit);
    if (unitIndex <= lastUnit) return undefined;
    lastUnit = unitIndex;
    const unitMs = UNITS[unitIndex]?.[1] ?? 0;
    // Exact arithmetic on the digits: '1.1s' is 11 * 1000 / 10, not 1.1 * 1000.
    const scaled = Number(whole + fraction) * unitMs;
    if (!Number.isSafeInteger(scaled)) return undefined;
    total += scaled / 10 ** fraction.length;
    rest = rest.slice(text.length);
  }
  return Number.isSafeInteger(total) ? total : undefined;
}
