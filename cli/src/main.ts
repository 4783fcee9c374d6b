#!/usr/bin/env node
import { CommanderError } from 'commander';
import { explain, formatError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { VERSION, makeProgram } from './program.js';

// `trellis run list | head`: a reader that stops early is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT.ok);
  throw error;
});

async function main(argv: string[]): Promise<number> {
  // `--version` right after `trellis` only: commander reads a root option anywhere on the line,
  // and `trellis workflow export NAME --version 3` means the workflow's version.
  if (argv[2] === '--version' || argv[2] === '-V') {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const program = makeProgram();
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    // --help and --version end through the same path as usage errors, with their own exit code.
    if (error instanceof CommanderError && (error.code === 'commander.helpDisplayed' || error.code === 'commander.help')) return EXIT.ok;
    const explained = explain(error);
    process.stderr.write(`${formatError(explained)}\n`);
    if (error instanceof CommanderError && explained.exitCode === EXIT.usage) process.stderr.write('trellis: run `trellis --help` (or `trellis COMMAND --help`) for usage\n');
    if (process.env['TRELLIS_DEBUG'] && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return explained.exitCode;
  }
}

process.exitCode = await main(process.argv);
