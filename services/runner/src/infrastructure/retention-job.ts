import type { ServiceRuntime } from '@trellis/platform/service-runtime';
import { startWokenLoop } from '@trellis/platform/woken-loop';
import { makeRetentionStore, type RetentionStore } from './postgres/retention.js';
import type { Database } from './postgres/schema.js';

/** Runs deleted per step of the loop; a step that deleted a full batch runs again at once. */
const BATCH = 200;
/** How often the loop looks (an idle platform does almost nothing). */
const RETENTION_POLL_MS = 60 * 60 * 1000;

export type RetentionDeps = {
  store: Pick<RetentionStore, 'expired' | 'remove'>;
  /** Removes what the run keeps in the object store (`runner/projects/<p>/runs/<run>/`). */
  removeRunObjects: (projectId: string, runId: string) => Promise<void>;
  clock: () => Date;
};

/**
 * One batch of retention: the finished runs past their project's retention lose their objects
 * first, then their rows (a failure in between leaves the rows, and the next pass removes again,
 * harmlessly). True when the batch was full: there may be more.
 */
export async function deleteExpiredRuns(deps: RetentionDeps, options: { defaultDays: number; batch?: number }): Promise<{ deleted: number; more: boolean }> {
  const batch = options.batch ?? BATCH;
  const expired = await deps.store.expired(options.defaultDays, deps.clock(), batch);
  for (const run of expired) await deps.removeRunObjects(run.projectId, run.id);
  const deleted = await deps.store.remove(expired.map((run) => run.id));
  return { deleted, more: expired.length >= batch };
}

/** The retention loop of a runner process: at start, then hourly (or every `pollMs`), in batches; stopped on shutdown. */
export function startRetention(runtime: ServiceRuntime<Database>, options: {
  defaultDays: number; removeRunObjects: RetentionDeps['removeRunObjects']; pollMs?: number;
}): void {
  const logger = runtime.logger.child({ component: 'retention' });
  const deps: RetentionDeps = { store: makeRetentionStore(runtime.db), removeRunObjects: options.removeRunObjects, clock: () => new Date() };
  const loop = startWokenLoop({
    pollMs: options.pollMs ?? RETENTION_POLL_MS,
    backoff: { baseMs: 5_000, maxMs: 5 * 60_000 },
    onError: (error, retryInMs) => logger.warn('expired runs could not be deleted; retrying', { error: (error as Error).message, retry_in_ms: retryInMs }),
    step: async () => {
      const { deleted, more } = await deleteExpiredRuns(deps, { defaultDays: options.defaultDays });
      if (deleted > 0) logger.info('expired runs deleted', { runs: deleted, default_retention_days: options.defaultDays });
      return more;
    },
  });
  runtime.lifecycle.onShutdown('retention', loop.stop);
}
