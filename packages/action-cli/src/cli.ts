#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { runAction } from './run.js';
import { validate } from './validate.js';

const USAGE = `trellis-action: check and try an action before pushing it

  trellis-action validate <folder>     every problem of its manifest and folder, with file:line:column
  trellis-action run <folder> [--input name=value]... [--input name=@path]... [--out dir] [--json]
                                       run it once through the real wrapper and print its outputs
                                       (file and directory outputs are saved under --out, default ./trellis-out);
                                       a trigger prints its runs until --count N or Ctrl-C;
                                       a trigger serving HTTP (Ryax) listens on --http-port (default a free port)
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
