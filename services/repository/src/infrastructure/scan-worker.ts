import type { Logger } from '@trellis/platform/logger';
import { listenForNotifications } from '@trellis/platform/postgres/listener';
import { startWokenLoop } from '@trellis/platform/woken-loop';
import type { ScanJob, ScanOutcome } from '../application/run-scan.js';
import type { Scan } from '../domain/scan.js';
import type { ScanJobs } from './postgres/scan-jobs.js';
import type { ScanMetrics } from './scan-metrics.js';
import { SCANS_CHANNEL } from './postgres/scan-repository.js';

export type ScanWorkerOptions = {
  jobs: ScanJobs;
  run: (job: ScanJob, signal: AbortSignal) => Promise<ScanOutcome>;
  abandon: (job: ScanJob) => Promise<boolean>;
  /** For the LISTEN connection that wakes the worker when a scan is queued or canceled. */
  connectionString: string;
  logger: Logger;
  metrics: ScanMetrics;
  /** This process's name on the leases it holds. */
  worker: string;
  concurrency: number;
  /** The slow fallback: how often an idle worker looks for work nobody told it about (an expired lease). */
  pollMs: number;
  leaseMs: number;
};

type Running = { readonly scanId: string; readonly lease: string; readonly controller: AbortController; readonly done: Promise<void> };

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}

/**
 * Runs scans from the durable queue, at most `concurrency` at a time. Woken by NOTIFY when a
 * scan is queued or canceled; otherwise it looks every `pollMs` (an idle service does almost
 * nothing). While a scan runs its lease is renewed; a renewal refused means the scan was
 * canceled (or taken over): its clone is stopped and nothing is written. Stopping the worker
 * stops its scans and gives them back for the next start.
 */
export function startScanWorker(options: ScanWorkerOptions): { stop: () => Promise<void>; wake: () => void } {
  const { jobs, logger, worker } = options;
  const running = new Map<string, Running>();
  const stop = new AbortController();

  function wake(): void {
    loop.wake();
  }

  async function renew(run: Running): Promise<void> {
    const held = await jobs.renew(run.scanId, run.lease).catch((error: unknown) => {
      logger.warn('scan lease could not be renewed; trying again', { scan_id: run.scanId, error: describe(error) });
      return true;
    });
    if (!held) run.controller.abort();
  }

  function start(scan: Scan, lease: string): void {
    const controller = new AbortController();
    const job = { scan, owner: lease };
    const log = logger.child({ scan_id: scan.id, source_id: scan.sourceId, project_id: scan.projectId, attempt: scan.attempt });
    const started = Date.now();
    const count = (outcome: string) => {
      options.metrics.attempts.inc({ outcome });
      options.metrics.duration.observe({ outcome }, (Date.now() - started) / 1000);
    };
    const entry: Running = {
      scanId: scan.id,
      lease,
      controller,
      done: (async () => {
        const renewal = setInterval(() => void renew(entry), Math.max(Math.floor(options.leaseMs / 3), 100));
        try {
          const { outcome, scan: ended } = await options.run(job, controller.signal);
          if (outcome === 'aborted' && stop.signal.aborted) await jobs.release(scan.id, lease);
          count(outcome);
          log.info('scan', {
            outcome, status: ended.status, commit: ended.commit ?? undefined, failure_code: ended.failure?.code, duration_ms: Date.now() - started,
          });
        } catch (error) {
          log.error('scan stopped on an error', { error: describe(error), duration_ms: Date.now() - started });
          count('error');
          await options.abandon(job).catch((again: unknown) => log.error('scan could not be marked failed; its lease will expire', { error: describe(again) }));
        } finally {
          clearInterval(renewal);
          running.delete(lease);
          wake();
        }
      })(),
    };
    running.set(lease, entry);
  }

  async function work(): Promise<void> {
    // A wake-up may be a cancellation: running scans check their lease at once.
    await Promise.all([...running.values()].map(renew));
    while (!stop.signal.aborted && running.size < options.concurrency) {
      const claimed = await jobs.claim(worker);
      if (!claimed) return;
      start(claimed.scan, claimed.lease);
    }
  }

  const loop = startWokenLoop({
    pollMs: options.pollMs,
    backoff: { baseMs: 200, maxMs: 10_000 },
    onError: (error, retryInMs) => logger.warn('scan worker cannot reach its queue; retrying', { error: describe(error), retry_in_ms: retryInMs }),
    step: work,
  });

  const listener = listenForNotifications({ connectionString: options.connectionString, channel: SCANS_CHANNEL, onNotify: wake, logger });

  return {
    wake,
    stop: async () => {
      stop.abort();
      const ended = loop.stop();
      for (const run of running.values()) run.controller.abort();
      await Promise.allSettled([...running.values()].map((run) => run.done));
      await listener.close();
      await ended;
    },
  };
}
