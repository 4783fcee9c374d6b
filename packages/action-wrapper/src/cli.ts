#!/usr/bin/env node
// trellis-action-wrapper <action-folder> [--port <n>] [--host <addr>] [--concurrency <n>] [--timeout <ms>]
//                        [--definition <file.json>] [--python <interpreter>] [--log-limit <bytes>]
//                        [--source-port <n>] [--endpoint-prefix <path>]
//
// Serves the action in <action-folder> over gRPC (protos/action/v1/action.proto). With --port 0
// (the default) a free port is picked; either way the bound port is printed alone on the first
// line of stdout. Exit codes: 0 after a graceful SIGTERM/SIGINT, 1 when it cannot start, 2 on bad
// usage; a Node handler that crashes the process (an uncaught exception outside any execution's
// promise) exits non-zero, as Node does, and the runner restarts the wrapper.
//
// A Ryax trigger (a source) may serve HTTP: it listens on --source-port (default: a free port),
// given to it as RYAX_SOURCE_PORT and the input ryax_endpoint_port, with --endpoint-prefix
// (default /<action id>) as the input ryax_endpoint_prefix. Both are reported on stderr.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type LoadDefinition, loadDefinitionFromManifest, makeJsonDefinitionLoader } from './definition-loader.js';
import { startWrapper } from './wrapper.js';

const usage =
  'usage: trellis-action-wrapper <action-folder> [--port <n>] [--host <addr>] [--concurrency <n>] [--timeout <ms>] ' +
  '[--definition <file.json>] [--python <interpreter>] [--log-limit <bytes>] [--source-port <n>] [--endpoint-prefix <path>]';

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
        'source-port': { type: 'string' },
        'endpoint-prefix': { type: 'string' },
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
  let sourcePort: number | undefined;
  try {
    port = positiveInteger('port', values.port, true);
    concurrency = positiveInteger('concurrency', values.concurrency);
    timeoutMs = positiveInteger('timeout', values.timeout);
    logLimitBytes = positiveInteger('log-limit', values['log-limit']);
    sourcePort = positiveInteger('source-port', values['source-port']);
    if (sourcePort !== undefined && sourcePort > 65535) throw new UsageError(`--source-port must be a TCP port (1-65535), got ${sourcePort}`);
    const prefix = values['endpoint-prefix'];
    if (prefix !== undefined && !prefix.startsWith('/')) throw new UsageError(`--endpoint-prefix must start with /, got ${prefix}`);
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
      ...(sourcePort === undefined ? {} : { sourcePort }),
      ...(values['endpoint-prefix'] === undefined ? {} : { endpointPrefix: values['endpoint-prefix'] }),
    });
  } catch (error) {
    process.stderr.write(`trellis-action-wrapper: cannot start: ${(error as Error).message}\n`);
    return 1;
  }
  // The first line of stdout is the port, alone: the runner reads it.
  process.stdout.write(`${wrapper.port}\n`);
  if (wrapper.ryaxEndpoint) {
    process.stderr.write(`trellis-action-wrapper: the Ryax trigger serves HTTP on port ${wrapper.ryaxEndpoint.port} (RYAX_SOURCE_PORT), prefix ${wrapper.ryaxEndpoint.prefix}\n`);
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
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`trellis-action-wrapper: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
