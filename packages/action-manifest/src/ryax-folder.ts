import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ManifestProblem } from './definition.js';

/**
 * Files of a Ryax action folder that only Ryax's Nix build reads: `overlays.nix` (custom Nix
 * packages) and a `nix/` folder (the files an overlay builds from). Trellis builds no Nix, so each
 * is a problem at the file itself, not something quietly left out of the action.
 */
export async function checkRyaxFolder(folder: string, names: ReadonlySet<string>): Promise<ManifestProblem[]> {
  const problems: ManifestProblem[] = [];
  const instead = 'install what it provides from requirements.txt (Python) or package.json (Node.js) instead, or use a trellis.yaml action';
  if (names.has('overlays.nix')) {
    problems.push({ file: 'overlays.nix', line: 1, column: 1, code: 'unsupported_nix_overlays', message: `Nix overlays are not applied by Trellis, which does not build with Nix; ${instead}, and remove overlays.nix` });
  }
  if (names.has('nix') && (await stat(path.join(folder, 'nix'))).isDirectory()) {
    problems.push({ file: 'nix/', line: 1, column: 1, code: 'unsupported_nix_overlays', message: `the nix/ folder is for Ryax's Nix build, which Trellis does not do; ${instead}, and remove nix/` });
  }
  return problems;
}
