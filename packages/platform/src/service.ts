import type { HttpServer } from './http/app.js';
import type { Logger } from './logger.js';
import type { ServiceRuntime } from './service-runtime.js';

/** What every service's `start<Service>(env, options)` takes beside its parsed environment. */
export type StartOptions = {
  /** The service's version, shown by /healthz and in logs (main.ts reads its package.json). */
  version: string;
  /** Tests pass their own logger (quiet, or capturing lines). */
  logger?: Logger;
  /** main.ts installs them; tests stop the service themselves. */
  installSignalHandlers?: boolean;
};

/** What every service's `start<Service>` returns: the same handle for all five. */
export type RunningService<Schema> = {
  runtime: ServiceRuntime<Schema>;
  http: HttpServer;
  /** `http://<host>:<port><basePath>` */
  url: string;
  /** Shuts everything down in order: HTTP first, the database pool last. */
  stop: () => Promise<void>;
};

/**
 * Runs `start` on a built runtime and turns it into the handle every service returns. A start
 * that fails stops what it had started and throws (main.ts exits, a test fails).
 */
export async function startOnRuntime<Schema>(
  runtime: ServiceRuntime<Schema>,
  options: StartOptions,
  start: () => Promise<{ http: HttpServer; basePath: string; host: string }>,
): Promise<RunningService<Schema>> {
  if (options.installSignalHandlers) runtime.lifecycle.installSignalHandlers();
  try {
    const { http, basePath, host } = await start();
    return { runtime, http, url: `http://${host}:${http.port}${basePath}`, stop: () => runtime.lifecycle.shutdown('stopped') };
  } catch (error) {
    await runtime.lifecycle.shutdown('could not start');
    throw error;
  }
}
