import { createInterface } from 'node:readline/promises';
import password from '@inquirer/password';
import { CliError, EXIT } from './exit-codes.js';

/** Everything on stdin (a password or a secret piped in), without the one newline that ends it. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

const needTerminal = (what: string, instead: string) =>
  new CliError('no_terminal', `no terminal to ask for ${what}`, { exitCode: EXIT.usage, hint: instead });

export async function askLine(question: string, instead: string): Promise<string> {
  if (!process.stdin.isTTY) throw needTerminal(question.replace(/:\s*$/, '').toLowerCase(), instead);
  const readline = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await readline.question(question)).trim();
  } finally {
    readline.close();
  }
}

/** Asked on the terminal without echo. */
export async function askSecret(message: string, instead: string): Promise<string> {
  if (!process.stdin.isTTY) throw needTerminal(message.toLowerCase(), instead);
  return password({ message, mask: false }, { output: process.stderr });
}
