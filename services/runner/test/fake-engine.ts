import { randomUUID } from 'node:crypto';
import type { Engine, RunEnd, StartRun } from '../src/application/engine-port.js';

type Outcome = Omit<RunEnd, 'runId'>;

/**
 * An engine the test steers: each started run ends as `decide(request)` says, at once or after
 * `delayMs` (never, with `Infinity`); the same idempotency key for a workflow gives the first
 * run again. Runs are not written to the database.
 */
export function makeFakeEngine() {
  const started: StartRun[] = [];
  const ends = new Map<string, Promise<RunEnd>>();
  const byKey = new Map<string, string>();
  const canceled: string[] = [];
  let decide: (request: StartRun) => { outcome: Outcome; delayMs?: number } = (request) => ({
    outcome: { status: 'succeeded', results: { echoed: request.triggerOutputs }, error: null },
  });
  const engine: Engine = {
    start: async (request) => {
      const key = request.idempotencyKey === undefined ? undefined : `${request.workflowId}:${request.idempotencyKey}`;
      const existing = key === undefined ? undefined : byKey.get(key);
      if (existing !== undefined) return { ok: true, value: { runId: existing, existing: true, finished: ends.get(existing)! } };
      started.push(request);
      const runId = randomUUID();
      if (key !== undefined) byKey.set(key, runId);
      const { outcome, delayMs = 0 } = decide(request);
      const finished = new Promise<RunEnd>((resolve) => {
        if (Number.isFinite(delayMs)) setTimeout(() => resolve({ runId, ...outcome }), delayMs);
      });
      ends.set(runId, finished);
      return { ok: true, value: { runId, existing: false, finished } };
    },
    awaitEnd: async (_projectId, runId) => ends.get(runId),
    cancel: async (_projectId, runId) => {
      canceled.push(runId);
      return { ok: true, value: undefined };
    },
    signal: async () => ({ ok: false, error: { type: 'RunNotFound' } }),
  };
  return {
    engine, started, canceled,
    /** A run the test wrote itself ends as `end` (what awaitEnd answers). */
    ended: (end: RunEnd) => {
      ends.set(end.runId, Promise.resolve(end));
    },
    /** How the next runs end. */
    behave: (next: typeof decide) => {
      decide = next;
    },
  };
}
