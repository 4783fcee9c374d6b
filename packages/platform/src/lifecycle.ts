import { isMainThread, parentPort } from 'node:worker_threads';
import type { Logger } from './logger.js';

/**
 * What a host that runs a service in a worker thread posts to stop it gracefully: a signal
 * reaches only the process, never one of its threads (the local supervisor hosts services so).
 */
export const SHUTDOWN_MESSAGE = 'trellis:shutdown';

type Closer = { name: string; close: () => Promise<void> };

/**
 * Owns the process's shutdown: closers run in reverse order of registration (servers stop
 * taking work before the pools they use close), bounded by a timeout.
 */
export function makeLifecycle(options: { logger: Logger; timeoutMs: number; exit?: (code: number) => void }) {
  const closers: Closer[] = [];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping: Promise<void> | undefined;

  async function runClosers(): Promise<void> {
    for (const closer of [...closers].reverse()) {
      try {
        await closer.close();
      } catch (error) {
        options.logger.error('shutdown step failed', { step: closer.name, error });
      }
    }
  }

  function shutdown(reason: string): Promise<void> {
    stopping ??= (async () => {
      options.logger.info('shutting down', { reason });
      const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), options.timeoutMs).unref());
      const outcome = await Promise.race([runClosers().then(() => 'done' as const), timer]);
      if (outcome === 'timeout') options.logger.error('shutdown timed out', { timeout_ms: options.timeoutMs });
    })();
    return stopping;
  }

  return {
    onShutdown(name: string, close: () => Promise<void>): void {
      closers.push({ name, close });
    },
    shutdown,
    /**
     * SIGTERM/SIGINT (or, in a worker thread, the host's shutdown message) stop gracefully; a
     * crash is logged and exits non-zero so the supervisor restarts it. In a worker thread,
     * `process.exit` ends that thread only.
     */
    installSignalHandlers(): void {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.once(signal, () => void shutdown(signal).then(() => exit(0)));
      }
      if (!isMainThread && parentPort) {
        parentPort.on('message', (message: unknown) => {
          if (message === SHUTDOWN_MESSAGE) void shutdown('host shutdown').then(() => exit(0));
        });
      }
      process.on('uncaughtException', (error) => {
        // Plain stderr too: the logger itself may be what broke.
        process.stderr.write(`uncaught exception: ${error.stack ?? String(error)}\n`);
        options.logger.error('uncaught exception', { error });
        void shutdown('uncaughtException').then(() => exit(1));
      });
      process.on('unhandledRejection', (error) => {
        process.stderr.write(`unhandled rejection: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        options.logger.error('unhandled rejection', { error });
        void shutdown('unhandledRejection').then(() => exit(1));
      });
    },
  };
}

export type Lifecycle = ReturnType<typeof makeLifecycle>;
