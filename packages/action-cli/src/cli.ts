#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { askSecret } from './ask-secret.js';
import { replayStep } from './replay.js';
import { runAction } from './run.js';
import { validate } from './validate.js';

const USAGE = `trellis-action: check and try an action before pushing it

  trellis-action validate <folder>     every problem of its manifest and folder, with file:line:column
  trellis-action run <folder> [--input name=value]... [--input name=@path]... [--out dir] [--json]
                                       run it once through the real wrapper and print its outputs
                                       (file and directory outputs are saved under --out, default ./trellis-out);
                                       a trigger prints its runs until --count N or Ctrl-C;
                                       a trigger serving HTTP (Ryax) listens on --http-port (default a free port)
  trellis-action replay <run id> <step id> [--attempt N] [--dir folder] [--secret NAME=VALUE]... [--out dir] [--json]
                                       run a recorded attempt again on the action folder of your checkout (--dir, default .)
                                       with the inputs it had (files downloaded; secrets asked for, or given with --secret)
                                       and print recorded and local side by side; exit 0 when the outcome is the same.
                                       Reads TRELLIS_URL and TRELLIS_TOKEN (or TRELLIS_API_KEY)
`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, folder, ...rest] = argv;
  const output = { out: (line: string) => process.stdout.write(`${line}\n`), err: (line: string) => process.stderr.write(`${line}\n`) };
  switch (command) {
    case 'validate':
      if (!folder) break;
      return validate(folder, output);
    case 'run': {
      if (!folder) break;
      const { values } = parseArgs({
        args: rest,
        options: {
          input: { type: 'string', short: 'i', multiple: true, default: [] },
          out: { type: 'string', default: 'trellis-out' },
          json: { type: 'boolean', default: false },
          count: { type: 'string' },
          timeout: { type: 'string' },
          'http-port': { type: 'string' },
        },
      });
      return runAction({
        folder, inputs: values.input, outDir: values.out, json: values.json,
        ...(values.count ? { count: Number(values.count) } : {}),
        ...(values.timeout ? { timeoutMs: Number(values.timeout) } : {}),
        ...(values['http-port'] ? { httpPort: Number(values['http-port']) } : {}),
      }, output);
    }
    case 'replay': {
      const { values, positionals } = parseArgs({
        args: argv.slice(1), allowPositionals: true,
        options: {
          attempt: { type: 'string' },
          dir: { type: 'string', default: '.' },
          secret: { type: 'string', multiple: true, default: [] },
          out: { type: 'string', default: 'trellis-out' },
          json: { type: 'boolean', default: false },
        },
      });
      const [runId, step] = positionals;
      const attempt = values.attempt === undefined ? undefined : Number(values.attempt);
      if (!runId || !step || positionals.length > 2 || (attempt !== undefined && !(Number.isInteger(attempt) && attempt >= 1))) break;
      return replayStep({
        runId, step, folder: values.dir, secrets: values.secret, outDir: values.out, json: values.json, env: process.env,
        ...(attempt === undefined ? {} : { attempt }),
        ask: process.stdin.isTTY ? (name) => askSecret(`${name} (a secret, not shown): `) : undefined,
        ...(process.stdout.columns ? { columns: process.stdout.columns } : {}),
      }, output);
    }
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      break;
  }
  process.stderr.write(USAGE);
  return 2;
}

/**
 * Ends the process once the command is done, even if something is still open: a Node handler
 * runs in this process, and what it started (a timer, a socket) must not keep the command alive.
 * The grace lets stdout and stderr drain where writes are asynchronous.
 */
function finish(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 500).unref();
}

main(process.argv.slice(2)).then(finish, (error: unknown) => {
  process.stderr.write(`trellis-action: ${error instanceof Error ? error.message : String(error)}\n`);
  finish(1);
});
