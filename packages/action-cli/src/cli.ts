#!/usr/bin/env node
import { validate } from './validate.js';

const USAGE = `trellis-action: check and try an action before pushing it

  trellis-action validate <folder>     every problem of its manifest and folder, with file:line:column
`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, folder] = argv;
  const output = { out: (line: string) => process.stdout.write(`${line}\n`), err: (line: string) => process.stderr.write(`${line}\n`) };
  switch (command) {
    case 'validate':
      if (!folder) break;
      return validate(folder, output);
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`trellis-action: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
