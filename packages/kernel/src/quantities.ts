/**
 * Resource quantities (cpu, memory) as people write them, turned into numbers: Kubernetes'
 * forms, read the same for an action's manifest and a workflow step. Pure; messages say the
 * expected forms.
 */

export type Parsed = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly message: string };

const fail = (message: string): Parsed => ({ ok: false, message });
const shown = (value: unknown): string => (typeof value === 'string' ? `"${value}"` : String(value));

/** `0.5`, `2` (cores) or `"500m"` (millicores) → cores. */
export function parseCpu(value: unknown): Parsed {
  const expected = 'expected a positive number of cores (0.5, 2) or millicores ("500m")';
  if (typeof value === 'number') return value > 0 && Number.isFinite(value) ? { ok: true, value } : fail(`cpu must be positive, got ${value}; ${expected}`);
  if (typeof value === 'string') {
    const millicores = /^(\d+)m$/.exec(value.trim());
    if (millicores?.[1] !== undefined && Number(millicores[1]) > 0) return { ok: true, value: Number(millicores[1]) / 1000 };
  }
  return fail(`bad cpu ${shown(value)}; ${expected}`);
}

const MEMORY_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};
const MEMORY_FORMS = 'expected bytes (268435456) or a number with a unit: Ki, Mi, Gi, Ti (powers of 1024: 256Mi, 1Gi) or k, M, G, T (powers of 1000: 512M, 1G)';

/** `256Mi`, `1Gi`, `512M`, `1G` or plain bytes → bytes (Kubernetes quantities). */
export function parseMemory(value: unknown): Parsed {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value > 0 ? { ok: true, value } : fail(`memory must be a positive whole number of bytes, got ${value}; ${MEMORY_FORMS}`);
  }
  if (typeof value === 'string') {
    const match = /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(value.trim());
    const factor = MEMORY_UNITS[match?.[2] ?? 'none'];
    if (match?.[1] !== undefined && factor !== undefined) {
      const bytes = Math.round(Number(match[1]) * factor);
      if (bytes > 0) return { ok: true, value: bytes };
    }
  }
  return fail(`bad memory ${shown(value)}; ${MEMORY_FORMS}`);
}
