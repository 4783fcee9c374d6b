import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ActionDefinition } from '@trellis/action-manifest/definition';
import { defaultEmitAckTimeoutMs } from './emit-acks.js';
import { makeExecutor } from './executor.js';
import { makeActionService, serveActionService, stopServer } from './infrastructure/grpc-server.js';
import { makeLimiter } from './limiter.js';
import { defaultLogLimitBytes, installLogCapture } from './log-capture.js';
import { loadNodeRuntime } from './node-runtime.js';
import { startPythonRuntime } from './python-runtime.js';
import type { HandlerRuntime } from './runtime.js';
import { type HttpEndpoint, defaultHttpPrefix, findFreePort, isRyaxTrigger, needsHttpEndpoint, ryaxSourcePortVariable } from './http-endpoint.js';

export type WrapperOptions = {
  /** The action folder (handler paths are relative to it). */
  readonly folder: string;
  readonly definition: ActionDefinition;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /** Executions in parallel, the rest queued FIFO; default 8 (Python: 1 per child, whatever this says). */
  readonly concurrency?: number;
  /** Default per-execution timeout: this, else the definition's resources.timeoutMs, else 60 s. */
  readonly timeoutMs?: number;
  /** Per stream and execution; default 1 MiB. */
  readonly logLimitBytes?: number;
  /** The Python interpreter; default python3. */
  readonly python?: string;
  /** Where per-execution temporary directories go; default the OS temp dir. */
  readonly tempRoot?: string;
  /** How long shutdown waits for in-flight executions; default 10 s. */
  readonly drainMs?: number;
  /** The wrapper's own diagnostics (never user logs); default the process's stderr. */
  readonly diagnostics?: (text: string) => void;
  /**
   * For a trigger that serves HTTP (a Ryax trigger, or one with an injected input): the port its
   * server listens on; default a free port. The runner gives the port it routes to.
   */
  readonly httpPort?: number;
  /** The URL path prefix the platform routes to that server; default `/<action id>`. */
  readonly httpPrefix?: string;
  /** How long a trigger's emit waits for the caller's acknowledgement (AckEvent); default 5 minutes. */
  readonly emitAckTimeoutMs?: number;
};

export type Wrapper = {
  readonly port: number;
  readonly definition: ActionDefinition;
  /** Where the trigger's HTTP server listens; undefined for an action without one. */
  readonly httpEndpoint: HttpEndpoint | undefined;
  /** Graceful: refuse new calls, end Listen streams, wait for in-flight executions (bounded), stop the Python child. */
  close(): Promise<void>;
};

export const defaultConcurrency = 8;
export const defaultTimeoutMs = 60_000;

export const wrapperVersion = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Starts the wrapper for one action: loads the handler, then serves ActionService over gRPC. */
export async function startWrapper(options: WrapperOptions): Promise<Wrapper> {
  const { definition } = options;
  const folder = path.resolve(options.folder);
  const logLimitBytes = options.logLimitBytes ?? defaultLogLimitBytes;
  const timeoutMs = options.timeoutMs ?? definition.resources.timeoutMs ?? defaultTimeoutMs;
  const diagnostics = options.diagnostics ?? ((text: string) => process.stderr.write(text));
  const httpEndpoint: HttpEndpoint | undefined = needsHttpEndpoint(definition)
    ? { port: options.httpPort ?? (await findFreePort()), prefix: options.httpPrefix ?? defaultHttpPrefix(definition) }
    : undefined;
  const capture = installLogCapture();
  let runtime: HandlerRuntime;
  try {
    runtime =
      definition.runtime === 'python'
        ? await startPythonRuntime({
            folder,
            definition,
            python: options.python,
            logLimitBytes,
            diagnostics,
            ...(httpEndpoint && isRyaxTrigger(definition) ? { env: { [ryaxSourcePortVariable]: String(httpEndpoint.port) } } : {}),
          })
        : await loadNodeRuntime(folder, definition);
  } catch (error) {
    capture.uninstall();
    throw error;
  }
  const requested = options.concurrency ?? defaultConcurrency;
  const concurrency = Math.min(requested, runtime.maxConcurrency ?? requested);
  const limiter = makeLimiter(concurrency);
  const executor = makeExecutor({
    definition,
    runtime,
    limiter,
    defaultTimeoutMs: timeoutMs,
    logLimitBytes,
    tempRoot: options.tempRoot ?? tmpdir(),
    now: () => performance.now(),
    ...(httpEndpoint ? { httpEndpoint } : {}),
    emitAckTimeoutMs: options.emitAckTimeoutMs ?? defaultEmitAckTimeoutMs,
  });
  let draining = false;
  const listens = new Set<AbortController>();
  const service = makeActionService({
    definition,
    executor,
    limiter,
    wrapperVersion,
    defaultTimeoutMs: timeoutMs,
    concurrency,
    logLimitBytes,
    isDraining: () => draining,
    listens,
    diagnostics,
  });
  let served: Awaited<ReturnType<typeof serveActionService>>;
  try {
    served = await serveActionService(service, options.host ?? '127.0.0.1', options.port ?? 0);
  } catch (error) {
    await runtime.close();
    capture.uninstall();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    port: served.port,
    definition,
    httpEndpoint,
    close() {
      closing ??= (async () => {
        draining = true;
        for (const listen of listens) listen.abort();
        const drainMs = options.drainMs ?? 10_000;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([limiter.idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs)))]);
        clearTimeout(timer);
        await stopServer(served.server, 1000);
        await runtime.close();
        capture.uninstall();
      })();
      return closing;
    },
  };
}
