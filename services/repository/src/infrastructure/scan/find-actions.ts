import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ActionDefinition, IoDefinition, ManifestProblem } from '@trellis/action-manifest/definition';
import { loadAction } from '@trellis/action-manifest/load';
import type { ActionFinder } from '../../application/ports.js';
import { pathInRepository, type ActionDescription, type FoundAction, type IoDescription, type ScanProblem } from '../../domain/scan-result.js';

/** The files that make a folder an action folder (loadAction picks which one counts). */
const MANIFESTS = new Set(['trellis.yaml', 'trellis.yml', 'ryax_metadata.yaml']);
/** Never searched: git's own folder and installed dependencies. */
const SKIPPED = new Set(['.git', 'node_modules']);

/** Every action folder of a working copy, loaded and checked by the action manifest package (the same checks as `trellis action validate`). */
export function makeActionFinder(options: { python?: string } = {}): ActionFinder {
  return {
    find: async (root, signal) => {
      const actions: FoundAction[] = [];
      const problems: ScanProblem[] = [];
      for (const folder of await actionFolders(root, '')) {
        if (signal.aborted) break;
        const loaded = await loadAction(path.join(root, folder), options.python ? { python: options.python } : {});
        if (loaded.ok) actions.push({ folder, action: describe(loaded.definition) });
        else problems.push(...loaded.problems.map((problem) => located(folder, problem)));
      }
      return { actions, problems };
    },
  };
}

/** Folders (relative to the root, "" for the root) holding a manifest, in path order. */
async function actionFolders(root: string, relative: string): Promise<string[]> {
  const entries = (await readdir(path.join(root, relative), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const found = entries.some((entry) => entry.isFile() && MANIFESTS.has(entry.name)) ? [relative] : [];
  for (const entry of entries) {
    if (entry.isDirectory() && !SKIPPED.has(entry.name)) found.push(...(await actionFolders(root, relative === '' ? entry.name : `${relative}/${entry.name}`)));
  }
  return found;
}

function located(folder: string, problem: ManifestProblem): ScanProblem {
  return { folder, file: pathInRepository(folder, problem.file), line: problem.line, column: problem.column, code: problem.code, message: problem.message };
}

function describe(definition: ActionDefinition): ActionDescription {
  return {
    id: definition.id, version: definition.version, kind: definition.kind, name: definition.name, description: definition.description,
    runtime: definition.runtime, handler: definition.handler, categories: definition.categories,
    inputs: definition.inputs.map(io), outputs: definition.outputs.map(io), resources: definition.resources,
    format: definition.source.format, manifest: definition.source.manifest,
  };
}

/** A password's default is a secret: it stays in the tarball, never in what the scan shows. */
function io(item: IoDefinition): IoDescription {
  const secret = item.type === 'password';
  return {
    name: item.name, type: item.type, help: item.help, optional: item.optional,
    ...(item.values ? { values: item.values } : {}),
    ...(item.default !== undefined && !secret ? { default: item.default } : {}),
    hasSecretDefault: secret && item.default !== undefined,
    ...(item.injected ? { injected: item.injected } : {}),
  };
}
