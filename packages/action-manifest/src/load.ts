import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { LoadResult, ManifestProblem } from './definition.js';
import { checkFolder } from './check-folder.js';
import { parseManifest } from './parse-manifest.js';
import type { ParseResult } from './parse-result.js';
import { parseRyaxManifest } from './parse-ryax.js';
import { makePythonCompiler } from './python-syntax.js';
import { checkRyaxFolder } from './ryax-folder.js';

const TRELLIS_MANIFESTS = ['trellis.yaml', 'trellis.yml'] as const;
export const RYAX_MANIFEST = 'ryax_metadata.yaml';

export type LoadOptions = {
  /** The Python interpreter that checks a Python handler compiles; default `python3` on the PATH. */
  readonly python?: string;
};

/**
 * Loads the action in a folder: finds its manifest (trellis.yaml or trellis.yml, else a Ryax
 * ryax_metadata.yaml), validates it and the files it names, and returns the definition or every
 * problem: the manifest's first, in file order, then those of other files (a handler's syntax
 * error, a Ryax overlays.nix). Problems are values; only failures to read the folder are thrown.
 */
export async function loadAction(folder: string, options: LoadOptions = {}): Promise<LoadResult> {
  const names = new Set(await readdir(folder));
  const trellis = TRELLIS_MANIFESTS.filter((name) => names.has(name));
  if (trellis.length > 1) {
    return problem('trellis.yml', 'ambiguous_manifest', 'both trellis.yaml and trellis.yml are present; keep one');
  }
  const manifest = trellis[0] ?? (names.has(RYAX_MANIFEST) ? RYAX_MANIFEST : undefined);
  if (manifest === undefined) {
    return problem('trellis.yaml', 'manifest_not_found', `no trellis.yaml (or trellis.yml, or Ryax ${RYAX_MANIFEST}) in this folder; an action needs a manifest`);
  }
  const text = await readFile(path.join(folder, manifest), 'utf8');
  const ryax = manifest === RYAX_MANIFEST;
  const parsed: ParseResult = ryax ? parseRyaxManifest(text, manifest) : parseManifest(text, manifest);
  const folderProblems = [
    ...(await checkFolder(folder, parsed.references, manifest, makePythonCompiler(options.python))),
    ...(ryax ? await checkRyaxFolder(folder, names) : []),
  ];
  if (parsed.ok && folderProblems.length === 0) return { ok: true, definition: parsed.definition };
  const problems = [...(parsed.ok ? [] : parsed.problems), ...folderProblems];
  return { ok: false, problems: problems.sort(inFileOrder(manifest)) };
}

/** The manifest's problems first, then each other file's (by name), each file's by line and column. */
function inFileOrder(manifest: string): (a: ManifestProblem, b: ManifestProblem) => number {
  const rank = (problem: ManifestProblem): number => (problem.file === manifest ? 0 : 1);
  return (a, b) => rank(a) - rank(b) || a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column;
}

function problem(file: string, code: string, message: string): LoadResult {
  return { ok: false, problems: [{ file, line: 1, column: 1, message, code }] };
}
