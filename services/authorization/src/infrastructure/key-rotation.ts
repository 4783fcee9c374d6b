import type { Logger } from '@trellis/platform/logger';
import type { RotationReport } from '../application/rotate-signing-keys.js';

/**
 * Runs the signing-key schedule now and then every `intervalMs` (plus whatever housekeeping
 * rides along), on every replica: the use case's lock makes one of them do each change. A
 * failure is logged and retried at the next tick; the first run's failure is thrown, so a
 * service that cannot make a key does not start.
 */
export async function startKeyRotation(options: {
  rotate: () => Promise<RotationReport>;
  afterEach: () => Promise<void>;
  intervalMs: number;
  logger: Logger;
}): Promise<{ stop: () => Promise<void> }> {
  const tick = async () => {
    const report = await options.rotate();
    if (report.created || report.retired.length > 0 || report.removed.length > 0) {
      options.logger.info('signing keys rotated', { created: report.created, retired: report.retired, removed: report.removed });
    }
    await options.afterEach();
  };
  await tick();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  // One tick at a time: the next is scheduled when the previous has finished.
  const schedule = () => {
    timer = setTimeout(() => {
      running = tick()
        .catch((error: unknown) => {
          options.logger.warn('signing key rotation failed; retrying at the next tick', { error });
        })
        .finally(() => {
          if (!stopped) schedule();
        });
    }, options.intervalMs);
    timer.unref();
  };
  schedule();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
