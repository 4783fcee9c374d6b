import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ManifestProblem } from './definition.js';
import { exportsFunction, exportsModuleFunction } from './handler-exports.js';
import { checkLogo } from './logo-check.js';
import type { FileReference, FolderReferences } from './parse-result.js';
import type { ProblemCode } from './problem.js';
import type { CompilePython } from './python-syntax.js';

/**
 * Checks the files a manifest names: the handler (exists, stays inside, compiles if it is Python,
 * exports its entry) and the logo. Problems of the manifest point at the manifest; a syntax error
 * points at the handler's own line and column.
 */
export async function checkFolder(folder: string, references: FolderReferences, manifest: string, compilePython: CompilePython): Promise<ManifestProblem[]> {
  const problems: ManifestProblem[] = [];
  const report = (reference: FileReference, code: ProblemCode, message: string): void => {
    problems.push({ file: manifest, line: reference.at.line, column: reference.at.column, message, code });
  };
  const { handler, logo, runtime, entry } = references;
  if (handler !== undefined) {
    const found = await readInside(folder, handler.path);
    const defaulted = handler.defaulted ? ` (the default for runtime ${runtime ?? '?'}; set "handler" if your file has another name)` : '';
    if (found === 'missing') report(handler, 'missing_handler', `handler file "${handler.path}" not found in the action folder${defaulted}`);
    else if (found === 'outside') report(handler, 'bad_path', `handler "${handler.path}" leads outside the action folder (through a symbolic link)`);
    else {
      const verdict = runtime === 'python' ? await compilePython(found.real) : { kind: 'compiles' as const };
      if (verdict.kind === 'syntax_error') {
        problems.push({ file: handler.path, line: verdict.line, column: verdict.column, message: `${verdict.message}; the handler must compile`, code: 'handler_syntax_error' });
      } else if (verdict.kind === 'no_python') {
        report(handler, 'python_not_found', `cannot check that "${handler.path}" compiles: there is no "${verdict.python}" to run; install Python 3 (or put python3 on the PATH) and validate again`);
      }
      const code = found.bytes.toString('utf8');
      const exported =
        runtime === undefined || entry === undefined || exportsFunction(code, runtime, entry) || (references.format === 'ryax' && runtime === 'nodejs' && exportsModuleFunction(code));
      if (verdict.kind !== 'syntax_error' && !exported) report(handler, 'handler_missing_export', `handler "${handler.path}" does not export "${entry}"; expected ${expectedExport(references)}`);
    }
  }
  if (logo !== undefined) {
    const found = await readInside(folder, logo.path);
    if (found === 'missing') report(logo, 'missing_logo', `logo file "${logo.path}" not found in the action folder`);
    else if (found === 'outside') report(logo, 'bad_path', `logo "${logo.path}" leads outside the action folder (through a symbolic link)`);
    else {
      const verdict = checkLogo(found.bytes, logo.path);
      if (!verdict.ok) report(logo, verdict.code, verdict.message);
    }
  }
  return problems;
}

function expectedExport({ format, runtime, entry }: FolderReferences): string {
  if (runtime === 'python' && format === 'ryax') return entry === 'run' ? 'a top-level "async def run(service, input_values)"' : 'a top-level "def handle(mod_in)"';
  if (runtime === 'python') return `a top-level "def ${entry ?? 'handle'}(...)"`;
  if (format === 'ryax') return '"module.exports = handle;" with a function handle(ryax_input), as Ryax documents it';
  return `"export function ${entry ?? 'handle'}" (or exports.${entry ?? 'handle'} = ...)`;
}

/** The bytes of a regular file inside the folder, and its real path, once symbolic links are resolved. */
async function readInside(folder: string, relative: string): Promise<{ readonly bytes: Buffer; readonly real: string } | 'missing' | 'outside'> {
  let real: string;
  let root: string;
  try {
    root = await realpath(folder);
    real = await realpath(path.join(folder, relative));
  } catch (error) {
    if (isNotFound(error)) return 'missing';
    throw new Error(`cannot read ${relative} in ${folder}`, { cause: error });
  }
  const inside = path.relative(root, real);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) return 'outside';
  if (!(await stat(real)).isFile()) return 'missing';
  return { bytes: await readFile(real), real };
}

function isNotFound(error: unknown): boolean {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
