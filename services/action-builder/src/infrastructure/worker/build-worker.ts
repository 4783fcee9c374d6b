import { listenForNotifications } from '@trellis/platform/postgres/listener';
import type { Logger } from '@trellis/platform/logger';
import { startWokenLoop } from '@trellis/platform/woken-loop';
import type { Clock, Leases, StopReason } from '../../application/ports.js';
import type { RunOutcome } from '../../application/run-build.js';
import type { Build } from '../../domain/build.js';
import { BUILDS_CHANNEL } from '../postgres/unit-of-work.js';
import type { BuildMetrics } from './build-metrics.js';

export type WorkerSettings = {
  /** Builds this process runs at once. */
  parallelism: number;
  /** How long a claimed build stays this process's without a renewal. */
  leaseMs: number;
  /** The slow fallback: how often an idle process looks for work (and for builds whose holder died). */
  pollMs: number;
  /** A build running longer is stopped and fails. */
  timeoutMs: number;
};

export type WorkerDeps = {
  owner: string;
  clock: Clock;
  leases: Leases;
  claim: (limit: number) => Promise<Build[]>;
  run: (build: Build, signal: AbortSignal) => Promise<RunOutcome>;
  /** LISTENs on its own connection: the commit of new work, a cancellation or a project's deletion wakes the worker. */
  connectionString: string;
  logger: Logger;
  metrics?: BuildMetrics;
};

type Task = { readonly attempt: number; readonly controller: AbortController; done: Promise<void> };

/**
 * The build queue's consumer in one process: claims builds while it has free slots, renews the
 * leases of those it runs (one statement for all of them, only while it runs any), and stops a
 * build when it is canceled, lost (taken over, deleted with its project) or too slow. Woken by
 * NOTIFY; polls only as a slow fallback, so an idle builder does almost nothing.
 */
export function startBuildWorker(deps: WorkerDeps, settings: WorkerSettings): { stop: () => Promise<void>; wake: () => void } {
  const tasks = new Map<string, Task>();
  const stopping = new AbortController();
  const wake = () => loop.wake();

  /** Renews the leases of running builds and stops those that are no longer this process's to run. */
  const checkHeld = async (): Promise<void> => {
    if (tasks.size === 0) return;
    const held = new Map((await deps.leases.renew(deps.owner, [...tasks.keys()], deps.clock(), settings.leaseMs)).map((build) => [build.id, build]));
    for (const [id, task] of tasks) {
      const current = held.get(id);
      const reason: StopReason | undefined = !current || current.attempt !== task.attempt ? { type: 'lost' } : current.cancelRequested ? { type: 'canceled' } : undefined;
      if (reason && !task.controller.signal.aborted) task.controller.abort(reason);
    }
  };

  const start = (build: Build): void => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort({ type: 'timed_out', afterMs: settings.timeoutMs } satisfies StopReason), settings.timeoutMs);
    const started = Date.now();
    const log = deps.logger.child({ build_id: build.id, project_id: build.projectId, attempt: build.attempt, trace_id: build.traceId });
    log.info('build started', { action_id: build.actionId, version: build.version });
    const task: Task = { attempt: build.attempt, controller, done: Promise.resolve() };
    tasks.set(build.id, task);
    const count = (outcome: string) => {
      deps.metrics?.attempts.inc({ outcome });
      deps.metrics?.duration.observe({ outcome }, (Date.now() - started) / 1000);
    };
    task.done = deps.run(build, controller.signal).then(
      (outcome) => {
        count(outcome);
        log.info('build ended', { outcome, duration_ms: Date.now() - started });
      },
      // Its lease is no longer renewed: it expires, and the build is tried again from the start.
      (error: unknown) => {
        count('error');
        log.error('build could not be ended; it is tried again when its lease expires', { error });
      },
    ).finally(() => {
      clearTimeout(timer);
      tasks.delete(build.id);
      wake();
    });
  };

  const fill = async (): Promise<boolean> => {
    const free = settings.parallelism - tasks.size;
    if (free <= 0 || stopping.signal.aborted) return false;
    const claimed = await deps.claim(free);
    for (const build of claimed) start(build);
    return claimed.length === free; // slots filled: more may be waiting
  };

  const heartbeat = setInterval(() => {
    checkHeld().catch((error: unknown) => deps.logger.warn('build leases not renewed', { error: (error as Error).message }));
  }, Math.max(100, Math.floor(settings.leaseMs / 3)));

  const loop = startWokenLoop({
    pollMs: settings.pollMs,
    backoff: { baseMs: 200, maxMs: 10_000 },
    onError: (error, retryInMs) => deps.logger.warn('build queue not read; retrying', { error: (error as Error).message, retry_in_ms: retryInMs }),
    step: async () => {
      await checkHeld();
      return fill();
    },
  });

  const listener = listenForNotifications({ connectionString: deps.connectionString, channel: BUILDS_CHANNEL, onNotify: wake, logger: deps.logger });

  return {
    wake,
    stop: async () => {
      stopping.abort();
      clearInterval(heartbeat);
      await listener.close();
      await loop.stop();
      for (const task of tasks.values()) if (!task.controller.signal.aborted) task.controller.abort({ type: 'shutdown' } satisfies StopReason);
      await Promise.all([...tasks.values()].map((task) => task.done));
    },
  };
}
