import { randomUUID } from 'node:crypto';
import { listenForNotifications } from '@trellis/platform/postgres/listener';
import type { ServiceRuntime } from '@trellis/platform/service-runtime';
import { sleep } from '@trellis/platform/time';
import { startWokenLoop } from '@trellis/platform/woken-loop';
import type { Engine } from '../application/engine-port.js';
import type { ProjectValues } from '../application/ports.js';
import { makeTriggerListeners, type TriggerListeners } from '../application/trigger-listeners.js';
import type { TriggerSite } from '../application/trigger-site.js';
import type { Database } from './postgres/schema.js';
import { makeTriggerLocks } from './postgres/trigger-locks.js';
import { lastTriggerEvent, servedTriggers } from './postgres/trigger-queries.js';
import { READS_CHANNEL } from './read-cache.js';

/** How often the triggers are reconciled without a notice: another replica's dead listener is taken over within about this long. */
const TRIGGER_POLL_MS = 5000;

/**
 * The Trigger actions of this runner process (docs/runner.md, "Trigger actions"): reconciled
 * with what serves whenever the deployments change (the notice every change of that table
 * sends, migration 0007) and every few seconds (the fallback, and the takeover of a dead
 * replica's locks). Stopped before the engine and the site (closers run in reverse).
 */
export function wireTriggers(runtime: ServiceRuntime<Database>, options: {
  connectionString: string; site: TriggerSite; engine: Pick<Engine, 'start'>; values: ProjectValues; pollMs?: number;
  backoff?: { baseMs: number; maxMs: number; healthyMs: number };
}): TriggerListeners {
  const logger = runtime.logger.child({ component: 'triggers' });
  const locks = makeTriggerLocks({ connectionString: options.connectionString, logger });
  const listeners = makeTriggerListeners({
    site: options.site, engine: options.engine, values: options.values, locks, ids: randomUUID, now: () => Date.now(), log: logger,
    lastEvent: (workflowId, scope) => lastTriggerEvent(runtime.db, workflowId, scope),
    sleep: (ms, signal) => sleep(ms, signal), ...(options.backoff ? { backoff: options.backoff } : {}),
  });
  const loop = startWokenLoop({
    pollMs: options.pollMs ?? TRIGGER_POLL_MS,
    backoff: { baseMs: 500, maxMs: 10_000 },
    onError: (error, retryInMs) => logger.warn('triggers cannot read what serves; retrying', { error: (error as Error).message, retry_in_ms: retryInMs }),
    step: async () => listeners.reconcile(await servedTriggers(runtime.db)),
  });
  const notices = listenForNotifications({
    connectionString: options.connectionString, channel: READS_CHANNEL, logger,
    onNotify: loop.wake,
  });
  runtime.lifecycle.onShutdown('trigger listeners', async () => {
    await notices.close();
    await loop.stop();
    await listeners.stop();
    await locks.close();
  });
  return listeners;
}
