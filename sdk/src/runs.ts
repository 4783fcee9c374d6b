import type { TrellisClient } from './client.js';
import type { paths } from './generated/openapi.js';

export type Run = paths['/runner/runs/{id}']['get']['responses']['200']['content']['application/json'];
export type RunStatus = Run['status'];

export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'canceled'];

export type WaitOptions = {
  /** Gives up (rejects) after this long; default 10 minutes. */
  timeoutMs?: number;
  /** Time between two reads of the run; default 250 ms. */
  intervalMs?: number;
  /** Called with the run each time it is read: where a CLI shows progress. */
  onUpdate?: (run: Run) => void;
  signal?: AbortSignal;
};

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
});

/** Reads the run until it has finished (succeeded, failed or canceled) and returns it. */
export async function waitForRun(client: TrellisClient, runId: string, options: WaitOptions = {}): Promise<Run> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  for (;;) {
    const { data: run } = await client.GET('/runner/runs/{id}', { params: { path: { id: runId } } });
    if (!run) throw new Error(`the run ${runId} answered without a body`);
    options.onUpdate?.(run);
    if (FINISHED_RUN_STATUSES.includes(run.status)) return run;
    if (Date.now() >= deadline) throw new Error(`the run ${runId} had not finished after ${options.timeoutMs ?? 600_000} ms (it is ${run.status})`);
    await sleep(options.intervalMs ?? 250, options.signal);
  }
}
