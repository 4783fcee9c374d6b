import { randomUUID } from 'node:crypto';
import type { ServiceRuntime } from '@trellis/platform/service-runtime';
import { listenForNotifications } from '@trellis/platform/postgres/listener';
import { startWokenLoop } from '@trellis/platform/woken-loop';
import { makeEngine, type RunningEngine } from '../application/engine.js';
import type { ProjectValues } from '../application/ports.js';
import type { RunObjects } from '../application/run-objects.js';
import type { RunsInFlight } from '../application/settle-undeployment.js';
import type { ActionSite } from '../application/site.js';
import { namedOn } from './postgres/named-queries.js';
import { makeRunStore } from './postgres/run-store.js';
import { cachingServingVersion, type ReadCache } from './read-cache.js';
import type { Database } from './postgres/schema.js';
import { startRunnerProcess } from './runner-process.js';

/** How often a runner looks for runs whose owner stopped or lost its lease (a slow fallback: DESIGN 10). */
const TAKEOVER_POLL_MS = 2000;
const TAKEOVER_BATCH = 50;
/** A step's deadline when neither the step nor its action sets one. */
const DEFAULT_STEP_TIMEOUT_MS = 60_000;
/** How often the end of a run owned by another process is read. */
const END_POLL_MS = 150;
/** How long a graceful undeploy waits for the workflow's runs in flight (then cancels what is left). */
const GRACEFUL_UNDEPLOY_MS = 60_000;
/** How often a graceful undeploy looks whether the workflow's runs have ended. */
const UNDEPLOY_POLL_MS = 200;
/** Sent at each signal kept (migration 0013): the process holding the run applies it. */
const SIGNALS_CHANNEL = 'trellis_runner_signals';
/** Signals kept while the listening connection was down are looked for this often. */
const SIGNALS_POLL_MS = 5000;

export type WiredEngine = { engine: RunningEngine; processId: string; runsInFlight: RunsInFlight };

/**
 * The engine of this runner process: its process row and heartbeat, its run store (and group
 * committer), the takeover loop. Stopping (closers run in reverse): no new run and no takeover,
 * the transitions being committed finish, then the heartbeat stops and the stop is recorded.
 */
export async function wireEngine(runtime: ServiceRuntime<Database>, options: {
  site: Pick<ActionSite, 'call'>; values: ProjectValues; objects: RunObjects; inlineValueBytes: number; leaseMs: number; processId?: string; takeoverPollMs?: number;
  /** Where signal notices are listened for (absent: only the slow poll finds signals sent to another process). */
  connectionString?: string;
  /** Keeps the version each workflow serves (start-runner gives it; tests may not). */
  readCache?: ReadCache;
  /** Retry jitter in [0, 1) (Math.random when absent). */
  random?: () => number;
}): Promise<WiredEngine> {
  const logger = runtime.logger.child({ component: 'engine' });
  const processId = options.processId ?? randomUUID();
  const stored = makeRunStore(runtime.db, { processId, leaseMs: options.leaseMs, named: namedOn(runtime.pool) });
  const store = options.readCache ? cachingServingVersion(stored, options.readCache) : stored;
  const engine = makeEngine({
    store, site: options.site, values: options.values, objects: options.objects, inlineValueBytes: options.inlineValueBytes, clock: () => new Date(), ids: randomUUID, log: logger,
    defaultTimeoutMs: DEFAULT_STEP_TIMEOUT_MS, pollMs: END_POLL_MS, random: options.random ?? Math.random,
  });
  const registered = await startRunnerProcess(runtime.db, { id: processId, heartbeatMs: Math.min(1500, Math.floor(options.leaseMs / 6)), logger });
  const takeover = startWokenLoop({
    pollMs: options.takeoverPollMs ?? TAKEOVER_POLL_MS,
    backoff: { baseMs: 500, maxMs: 10_000 },
    onError: (error, retryInMs) => logger.warn('takeover cannot read runs; retrying', { error: (error as Error).message, retry_in_ms: retryInMs }),
    step: () => engine.takeOver(TAKEOVER_BATCH),
  });
  // A signal sent through another process reaches the run held here by a notice, or by the slow poll (a notice missed).
  const signals = startWokenLoop({
    pollMs: SIGNALS_POLL_MS,
    backoff: { baseMs: 500, maxMs: 10_000 },
    onError: (error, retryInMs) => logger.warn('signals cannot be read; retrying', { error: (error as Error).message, retry_in_ms: retryInMs }),
    step: async () => {
      await engine.signaled();
      return false;
    },
  });
  const signalNotices = options.connectionString
    ? listenForNotifications({ connectionString: options.connectionString, channel: SIGNALS_CHANNEL, onNotify: signals.wake, onLost: signals.wake, logger })
    : undefined;
  runtime.lifecycle.onShutdown('runner process', registered.stop);
  runtime.lifecycle.onShutdown('engine', async () => {
    await takeover.stop();
    await signalNotices?.close();
    await signals.stop();
    await engine.stop();
    await store.drain();
  });
  logger.info('runner process registered', { process_id: processId, lease_ms: options.leaseMs });

  const runsInFlight: RunsInFlight = {
    settle: async (deployment, mode) => {
      if (mode === 'graceful') {
        const deadline = Date.now() + GRACEFUL_UNDEPLOY_MS;
        while ((await store.unfinished(deployment.workflowId)).length > 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, UNDEPLOY_POLL_MS));
        }
      }
      let canceled = 0;
      for (const run of await store.unfinished(deployment.workflowId)) {
        if ((await engine.cancel(run.projectId, run.id)).ok) canceled += 1;
      }
      return { canceled };
    },
  };
  return { engine, processId, runsInFlight };
}
