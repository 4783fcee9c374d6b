#!/usr/bin/env node
// trellis-action-wrapper <action-folder> [--port <n>] [--host <addr>] [--concurrency <n>] [--timeout <ms>]
//                        [--definition <file.json>] [--python <interpreter>] [--log-limit <bytes>]
//                        [--http-port <n>] [--http-prefix <path>] [--exit-with-stdin]
//
// Serves the action in <action-folder> over gRPC (protos/action/v1/action.proto). With --port 0
// (the default) a free port is picked; either way the bound port is printed alone on the first
// line of stdout. Exit codes: 0 after a graceful SIGTERM/SIGINT, 1 when it cannot start, 2 on bad
// usage; a Node handler that crashes the process (an uncaught exception outside any execution's
// promise) exits non-zero, as Node does, and the runner restarts the wrapper.
//
// A trigger that serves HTTP (a Ryax trigger, or one with an injected input) listens on
// --http-port (default: a free port) and is reached under --http-prefix (default /<action id>):
// its injected inputs, and for a Ryax trigger RYAX_SOURCE_PORT and the inputs ryax_endpoint_port
// and ryax_endpoint_prefix, carry them. Both are reported on stderr.
//
// With --exit-with-stdin (or TRELLIS_EXIT_WITH_STDIN=1 in its environment, which wrappers bundled
// in older artifacts ignore rather than refuse) the wrapper shuts down, as on SIGTERM, when its
// stdin ends: the runner keeps that pipe open and never writes to it, so when the runner dies,
// even by kill -9, the pipe closes and its actions stop with it instead of living on orphaned.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type LoadDefinition, loadDefinitionFromManifest, makeJsonDefinitionLoader } from './definition-loader.js';
import { startWrapper } from './wrapper.js';

const usage =
  'usage: trellis-action-wrapper <action-folder> [--port <n>] [--host <addr>] [--concurrency <n>] [--timeout <ms>] ' +
  '[--definition <file.json>] [--python <interpreter>] [--log-limit <bytes>] [--http-port <n>] [--http-prefix <path>] [--exit-with-stdin]';

function positiveInteger(name: string, text: string | undefined, allowZero = false): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) throw new UsageError(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${text}`);
  return n;
}

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        concurrency: { type: 'string' },
        timeout: { type: 'string' },
        definition: { type: 'string' },
        python: { type: 'string' },
        'log-limit': { type: 'string' },
        'http-port': { type: 'string' },
        'http-prefix': { type: 'string' },
        'exit-with-stdin': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const folderArg = positionals[0];
  if (folderArg === undefined || positionals.length > 1) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  let port: number | undefined;
  let concurrency: number | undefined;
  let timeoutMs: number | undefined;
  let logLimitBytes: number | undefined;
  let httpPort: number | undefined;
  let emitAckTimeoutMs: number | undefined;
  try {
    port = positiveInteger('port', values.port, true);
    concurrency = positiveInteger('concurrency', values.concurrency);
    timeoutMs = positiveInteger('timeout', values.timeout);
    logLimitBytes = positiveInteger('log-limit', values['log-limit']);
    httpPort = positiveInteger('http-port', values['http-port']);
    // An environment variable, not a flag: the runner starts wrappers with its own arguments, a test shortens this bound.
    emitAckTimeoutMs = positiveInteger('TRELLIS_EMIT_ACK_TIMEOUT_MS', process.env['TRELLIS_EMIT_ACK_TIMEOUT_MS']);
    if (httpPort !== undefined && httpPort > 65535) throw new UsageError(`--http-port must be a TCP port (1-65535), got ${httpPort}`);
    const prefix = values['http-prefix'];
    if (prefix !== undefined && !prefix.startsWith('/')) throw new UsageError(`--http-prefix must start with /, got ${prefix}`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${usage}\n`);
    return 2;
  }
  const folder = path.resolve(folderArg);
  const load: LoadDefinition = values.definition === undefined ? loadDefinitionFromManifest : makeJsonDefinitionLoader(path.resolve(values.definition));
  let wrapper;
  try {
    const definition = await load(folder);
    wrapper = await startWrapper({
      folder,
      definition,
      port: port ?? 0,
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(logLimitBytes === undefined ? {} : { logLimitBytes }),
      ...(values.python === undefined ? {} : { python: values.python }),
      ...(httpPort === undefined ? {} : { httpPort }),
      ...(values['http-prefix'] === undefined ? {} : { httpPrefix: values['http-prefix'] }),
      ...(emitAckTimeoutMs === undefined ? {} : { emitAckTimeoutMs }),
    });
  } catch (error) {
    process.stderr.write(`trellis-action-wrapper: cannot start: ${(error as Error).message}\n`);
    return 1;
  }
  // The first line of stdout is the port, alone: the runner reads it.
  process.stdout.write(`${wrapper.port}\n`);
  if (wrapper.httpEndpoint) {
    process.stderr.write(`trellis-action-wrapper: the trigger serves HTTP on port ${wrapper.httpEndpoint.port}, prefix ${wrapper.httpEndpoint.prefix}\n`);
  }
  const started = wrapper;
  await new Promise<void>((resolve) => {
    const stop = () => {
      started.close().then(resolve, (error: unknown) => {
        process.stderr.write(`trellis-action-wrapper: shutdown failed: ${String(error)}\n`);
        resolve();
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    if (values['exit-with-stdin'] || process.env['TRELLIS_EXIT_WITH_STDIN'] === '1') {
      process.stdin.once('end', stop);
      process.stdin.once('error', stop);
      process.stdin.resume();
    }
  });
  return 0;
}

/**
 * Ends the process when main is done, even if something is still open: a Node handler runs in
 * this process, and what it started (a timer, a socket) must not keep a stopped or failed wrapper
 * alive. The grace lets stdout and stderr drain where writes are asynchronous.
 */
function finish(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 500).unref();
}

main(process.argv.slice(2)).then(finish, (error: unknown) => {
  process.stderr.write(`trellis-action-wrapper: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  finish(1);
});
