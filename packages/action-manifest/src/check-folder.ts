import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ManifestProblem } from './definition.js';
import { exportsFunction } from './handler-exports.js';
import { checkLogo } from './logo-check.js';
import type { FileReference, FolderReferences } from './parse-result.js';
import type { ProblemCode } from './problem.js';

/** Checks the files a manifest names: the handler (exists, stays inside, exports its entry) and the logo. */
export async function checkFolder(folder: string, references: FolderReferences, manifest: string): Promise<ManifestProblem[]> {
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
    else if (runtime !== undefined && entry !== undefined && !exportsFunction(found.toString('utf8'), runtime, entry)) {
      const how = runtime === 'python' ? `a top-level "def ${entry}(...)"` : `"export function ${entry}" (or exports.${entry} = ...)`;
      report(handler, 'handler_missing_export', `handler "${handler.path}" does not export "${entry}"; expected ${how}`);
    }
  }
  if (logo !== undefined) {
    const found = await readInside(folder, logo.path);
    if (found === 'missing') report(logo, 'missing_logo', `logo file "${logo.path}" not found in the action folder`);
    else if (found === 'outside') report(logo, 'bad_path', `logo "${logo.path}" leads outside the action folder (through a symbolic link)`);
    else {
      const verdict = checkLogo(found, logo.path);
      if (!verdict.ok) report(logo, verdict.code, verdict.message);
    }
  }
  return problems;
}

/** The bytes of a regular file inside the folder, once symbolic links are resolved. */
async function readInside(folder: string, relative: string): Promise<Buffer | 'missing' | 'outside'> {
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
  return readFile(real);
}

function isNotFound(error: unknown): boolean {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
