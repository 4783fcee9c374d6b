import { parseCpu, parseMemory, type Parsed } from '@trellis/kernel/quantities';

/** Where a workflow's actions run: one machine's processes, Docker containers, or Kubernetes pods. */
export const SITE_NAMES = ['local', 'docker', 'kubernetes'] as const;
export type SiteName = (typeof SITE_NAMES)[number];

export const isSiteName = (value: unknown): value is SiteName => typeof value === 'string' && (SITE_NAMES as readonly string[]).includes(value);

/** A step's override of its action's resources: what the manifest says, replaced field by field. */
export type StepResources = { readonly cpu?: number; readonly memoryBytes?: number };

/** The most a step may ask for: beyond it, a typo (`64Gi` for `64Mi`) is likelier than a need. */
export const MAX_CPU = 64;
export const MAX_MEMORY_BYTES = 256 * 1024 ** 3;

const DECIMAL = /^\d+(\.\d+)?$/;

/** Cores: `0.5`, `2`, `"500m"`, or a decimal string `"0.5"` (Kubernetes writes it so); at most 64. */
export function readCpu(value: unknown): Parsed {
  const parsed = parseCpu(typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value) : value);
  if (parsed.ok && parsed.value > MAX_CPU) return { ok: false, message: `at most ${MAX_CPU} cores, got ${parsed.value}` };
  return parsed;
}

/** Bytes: `536870912`, `"512Mi"`, `"1Gi"`, `"256M"`; at most 256Gi. */
export function readMemory(value: unknown): Parsed {
  const parsed = parseMemory(value);
  if (parsed.ok && parsed.value > MAX_MEMORY_BYTES) return { ok: false, message: `at most 256Gi of memory, got ${String(value)}` };
  return parsed;
}
