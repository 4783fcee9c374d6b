import { readFileSync } from 'node:fs';
import { CliError, EXIT } from '../../exit-codes.js';

/** Commander's collector for a repeatable option. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** JSON when the text is JSON (`n=1` is a number, `flags=[1,2]` a list), the text itself otherwise. */
function valueOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function readInputFile(file: string, name: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError('file_unreadable', `--input ${name}=@${file}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { exitCode: EXIT.usage });
  }
}

/** `--input k=v` and `--input k=@file`, as the trigger's inputs by name. */
export function parseInputs(pairs: readonly string[] = []): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new CliError('usage', `--input "${pair}" is not NAME=VALUE`, { exitCode: EXIT.usage, hint: '--input n=1, --input text=hello, --input doc=@file.json' });
    const name = pair.slice(0, equals);
    const value = pair.slice(equals + 1);
    inputs[name] = value.startsWith('@') ? valueOf(readInputFile(value.slice(1), name)) : valueOf(value);
  }
  return inputs;
}
