import { readFile } from 'node:fs/promises';
import type { ActionDefinition } from '@trellis/action-manifest/definition';
import { loadAction } from '@trellis/action-manifest/load';

/** The port through which the wrapper gets the definition of the action it hosts. */
export type LoadDefinition = (folder: string) => Promise<ActionDefinition>;

/** Reads a definition sealed as JSON (an ActionDefinition) — what `--definition <file>` uses. */
export function makeJsonDefinitionLoader(file: string): LoadDefinition {
  return async () => JSON.parse(await readFile(file, 'utf8')) as ActionDefinition;
}

/** Reads and validates the folder's manifest (trellis.yaml, or a Ryax ryax_metadata.yaml) with @trellis/action-manifest. */
export const loadDefinitionFromManifest: LoadDefinition = async (folder) => {
  const result = await loadAction(folder);
  if (!result.ok) {
    throw new Error(`the manifest of ${folder} has problems:\n${result.problems.map((p) => `  ${p.file}:${p.line}:${p.column}: ${p.message}`).join('\n')}`);
  }
  return result.definition;
};
