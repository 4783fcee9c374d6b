import { openAsBlob, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
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

/** `--file k=path`: the files to upload for the trigger's file inputs, checked to be readable files. */
export function parseFiles(pairs: readonly string[] = []): Record<string, string> {
  const files: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0 || equals === pair.length - 1) throw new CliError('usage', `--file "${pair}" is not NAME=PATH`, { exitCode: EXIT.usage, hint: '--file doc=report.pdf' });
    const name = pair.slice(0, equals);
    const file = pair.slice(equals + 1);
    let isFile = false;
    try {
      isFile = statSync(file).isFile();
    } catch (error) {
      throw new CliError('file_unreadable', `--file ${name}=${file}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { exitCode: EXIT.usage });
    }
    if (!isFile) throw new CliError('file_unreadable', `--file ${name}=${file}: ${file} is not a file (a directory input takes a .tar archive)`, { exitCode: EXIT.usage });
    files[name] = file;
  }
  return files;
}

/**
 * The inputs as a multipart form, as the runner takes a trigger's files: a file part per file
 * (streamed from disk, not read into memory), a text field per other input (JSON text unless a string).
 */
export async function inputsForm(inputs: Record<string, unknown>, files: Record<string, string>): Promise<FormData> {
  const form = new FormData();
  for (const [name, value] of Object.entries(inputs)) {
    if (value !== undefined && value !== null) form.append(name, typeof value === 'string' ? value : JSON.stringify(value));
  }
  for (const [name, file] of Object.entries(files)) form.append(name, await openAsBlob(file), basename(file));
  return form;
}
