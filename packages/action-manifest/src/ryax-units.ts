import type { Parsed } from './units.js';

const fail = (message: string): Parsed => ({ ok: false, message });
const shown = (value: unknown): string => (typeof value === 'string' ? `"${value}"` : String(value));

const BINARY: Readonly<Record<string, number>> = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };

/** Ryax memory: bytes, or a number with K, M or G, which Ryax reads as powers of 1024 (`4G` = 4 GiB). */
export function parseRyaxMemory(value: unknown): Parsed {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return { ok: true, value };
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)$/.exec(value.trim()) : null;
  const factor = BINARY[match?.[2] ?? 'none'];
  if (match?.[1] !== undefined && factor !== undefined && Number(match[1]) > 0) return { ok: true, value: Math.round(Number(match[1]) * factor) };
  return fail(`bad memory ${shown(value)}; expected bytes (1000000000) or a number with K, M or G (512M, 4G)`);
}

const SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Ryax time: seconds, or a number with s, m, h or d → milliseconds. */
export function parseRyaxTime(value: unknown): Parsed {
  if (typeof value === 'number' && value > 0 && Number.isFinite(value)) return { ok: true, value: Math.round(value * 1000) };
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(value.trim()) : null;
  const factor = SECONDS[match?.[2] ?? 'none'];
  if (match?.[1] !== undefined && factor !== undefined && Number(match[1]) > 0) return { ok: true, value: Math.round(Number(match[1]) * factor * 1000) };
  return fail(`bad time ${shown(value)}; expected seconds (90) or a number with s, m, h or d (90s, 5m, 1h)`);
}
