import { createHash } from 'node:crypto';
import type { ServiceRuntime } from '@trellis/platform/service-runtime';
import { listenForNotifications } from '@trellis/platform/postgres/listener';
import { startWokenLoop } from '@trellis/platform/woken-loop';
import type { Engine } from '../application/engine-port.js';
import type { ProjectValues } from '../application/ports.js';
import { fireDueSchedules } from '../application/fire-schedules.js';
import { makeScheduleStore, SCHEDULES_CHANNEL } from './postgres/schedule-repository.js';
import type { Database } from './postgres/schema.js';

/** The longest the scheduler sleeps without looking (a tick, a deploy it was not told of, another process's clock). */
const SCHEDULE_POLL_MS = 5_000;

/** A fixed namespace for the run ids of ticks (a random v4 UUID, chosen once). */
const TICK_NAMESPACE = Buffer.from('6f1d3c2ab4e84f0c9a7d5e3b1c2f4a6d', 'hex');

/**
 * The run id of a workflow's tick: a name-based UUID (version 5: SHA-1 of a namespace and the
 * name) of the workflow id and the tick's instant, so every process names a tick's run the same.
 */
export function scheduledRunId(workflowId: string, tick: Date): string {
  const hash = createHash('sha1').update(TICK_NAMESPACE).update(`${workflowId}@${tick.toISOString()}`).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The scheduler of a runner process: fires due ticks (fireDueSchedules), then sleeps until the
 * earliest next tick, at most `pollMs`, or until a schedule is saved or removed (NOTIFY). Every
 * process runs one; the runs' unique idempotency key makes each tick one run. Stopped on shutdown,
 * before the engine.
 */
export function startScheduler(runtime: ServiceRuntime<Database>, options: {
  engine: Pick<Engine, 'start'>; values: Pick<ProjectValues, 'variables'>; connectionString: string; misfireMs: number; pollMs?: number;
}): void {
  const logger = runtime.logger.child({ component: 'scheduler' });
  const store = makeScheduleStore(runtime.db);
  const pollMs = options.pollMs ?? SCHEDULE_POLL_MS;
  let timer: NodeJS.Timeout | undefined;
  const deps = { store, engine: options.engine, values: options.values, clock: () => new Date(), runIdOf: scheduledRunId, log: logger, misfireMs: options.misfireMs };
  const loop = startWokenLoop({
    pollMs,
    backoff: { baseMs: 200, maxMs: 10_000 },
    onError: (error, retryInMs) => logger.warn('schedules could not be fired; retrying', { error: (error as Error).message, retry_in_ms: retryInMs }),
    step: async () => {
      const pass = await fireDueSchedules(deps);
      if (pass.more || pass.stopping) return pass.more;
      const earliest = await store.earliest();
      clearTimeout(timer);
      // Woken at the next tick (the poll covers anything later); a tick already due runs at once.
      if (earliest !== undefined) timer = setTimeout(loop.wake, Math.min(Math.max(0, earliest.getTime() - Date.now()), pollMs)).unref();
      return false;
    },
  });
  const listener = listenForNotifications({ connectionString: options.connectionString, channel: SCHEDULES_CHANNEL, onNotify: loop.wake, logger });
  runtime.lifecycle.onShutdown('scheduler', async () => {
    clearTimeout(timer);
    await listener.close();
    await loop.stop();
  });
}
