import { randomUUID } from 'node:crypto';
import type { Logger } from '@trellis/platform/logger';
import { sleep } from '@trellis/platform/time';
import type { ScanJob, ScanOutcome } from '../application/run-scan.js';
import type { UseCases } from '../application/use-cases.js';
import { readRemoteHead } from './git/remote-head.js';

export type RunningStandardLibrary = {
  /** The commit the library's repository held at start (undefined until read, or when it cannot be read). */
  head: () => string | undefined;
  /** A scan worker's run, followed by the library's builds when the scan done was the library's. */
  afterScan: (run: (job: ScanJob, signal: AbortSignal) => Promise<ScanOutcome>) => (job: ScanJob, signal: AbortSignal) => Promise<ScanOutcome>;
  stop: () => Promise<void>;
};

const RETRY_MS = 5_000;

/**
 * The standard library at start: reads the commit its repository holds (it changes only with
 * Trellis, which restarts the service), then installs it in every known project, again and
 * again while that fails (the database restarting): each install is idempotent.
 */
export function startStandardLibrary(options: {
  url: string; useCases: UseCases; logger: Logger; workDir: string; timeoutMs: number;
}): RunningStandardLibrary {
  const { url, useCases, logger } = options;
  const stopping = new AbortController();
  let head: string | undefined;

  const installEverywhere = async () => {
    head = await readRemoteHead(url, options);
    if (head === undefined) logger.warn('standard library repository not readable', { url });
    while (!stopping.signal.aborted) {
      try {
        const results = await useCases.installStandardLibraryEverywhere({ url, head, traceId: randomUUID() });
        for (const { projectId, result } of results) {
          if (!result.ok && result.error.type !== 'ProjectNotKnown') logger.warn('standard library not installed', { project_id: projectId, reason: result.error.type });
        }
        const installed = results.flatMap(({ result }) => (result.ok ? [result.value] : []));
        logger.info('standard library checked', {
          url, commit: head ?? null, projects: results.length,
          created: installed.filter((i) => i.source === 'created').length,
          scans_queued: installed.filter((i) => i.scanQueued).length,
          builds_requested: installed.reduce((sum, i) => sum + i.builds.length, 0),
        });
        return;
      } catch (error) {
        logger.warn('standard library install failed; trying again', { error: error instanceof Error ? error.message : String(error) });
        await sleep(RETRY_MS, stopping.signal);
      }
    }
  };
  const pass = installEverywhere().catch((error: unknown) => {
    logger.error('standard library install stopped', { error: error instanceof Error ? error.message : String(error) });
  });

  return {
    head: () => head,
    afterScan: (run) => async (job, signal) => {
      const outcome = await run(job, signal);
      if (outcome.outcome !== 'done') return outcome;
      try {
        const { builds } = await useCases.buildStandardLibrary({ projectId: outcome.scan.projectId, sourceId: outcome.scan.sourceId, traceId: randomUUID() });
        if (builds.length > 0) {
          logger.info('standard library builds requested', { project_id: outcome.scan.projectId, scan_id: outcome.scan.id, actions: builds.map((b) => `${b.actionId}@${b.version}`) });
        }
      } catch (error) {
        // The scan is recorded; the next start requests what is missing.
        logger.error('standard library builds not requested', { project_id: outcome.scan.projectId, scan_id: outcome.scan.id, error: error instanceof Error ? error.message : String(error) });
      }
      return outcome;
    },
    stop: async () => {
      stopping.abort();
      await pass;
    },
  };
}
