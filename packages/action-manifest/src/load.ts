import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { LoadResult } from './definition.js';
import { checkFolder } from './check-folder.js';
import { parseManifest } from './parse-manifest.js';
import type { ParseResult } from './parse-result.js';
import { parseRyaxManifest } from './parse-ryax.js';

const TRELLIS_MANIFESTS = ['trellis.yaml', 'trellis.yml'] as const;
export const RYAX_MANIFEST = 'ryax_metadata.yaml';

/**
 * Loads the action in a folder: finds its manifest (trellis.yaml or trellis.yml, else a Ryax
 * ryax_metadata.yaml), validates it and the files it names, and returns the definition or every
 * problem. Problems are values; only failures to read the folder are thrown.
 */
export async function loadAction(folder: string): Promise<LoadResult> {
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
  const parsed: ParseResult = manifest === RYAX_MANIFEST ? parseRyaxManifest(text, manifest) : parseManifest(text, manifest);
  const folderProblems = await checkFolder(folder, parsed.references, manifest);
  if (parsed.ok && folderProblems.length === 0) return { ok: true, definition: parsed.definition };
  const problems = [...(parsed.ok ? [] : parsed.problems), ...folderProblems];
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: false, problems };
}

function problem(file: string, code: string, message: string): LoadResult {
  return { ok: false, problems: [{ file, line: 1, column: 1, message, code }] };
}
