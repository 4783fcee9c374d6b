import type { Probe } from './supervisor-plan.js';

/** One GET; ok on 2xx (any answer with `anyStatus`). Never throws. */
export async function check(probe: Probe, timeoutMs = 2_000): Promise<{ ok: boolean; detail: string }> {
  try {
    const response = await fetch(probe.url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await response.arrayBuffer();
    const ok = probe.anyStatus === true || (response.status >= 200 && response.status < 300);
    return { ok, detail: String(response.status) };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { ok: false, detail: cause ?? (error as Error).name };
  }
}
