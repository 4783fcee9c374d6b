import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ActionDefinition, JsonValue } from '@trellis/action-manifest/definition';
import { loadAction } from '@trellis/action-manifest/load';
import { formatProblem } from '@trellis/action-manifest/problem';
import type { LocalInput } from '@trellis/action-cli/inputs';
import { openSession, runOnce, type LocalOutcome, type Session } from '@trellis/action-cli/run';

/** An input as a test gives it: a value of the input's type, or a local file or folder. */
export type GivenInput = JsonValue | { readonly file: string } | { readonly directory: string };

export const actionsRoot = resolve(import.meta.dirname, '../..');

export function folderOf(id: string): string {
  return join(actionsRoot, id);
}

/** The action's definition as the scan and the builder read it; a problem fails the test that asked. */
export async function definitionOf(id: string): Promise<ActionDefinition> {
  const loaded = await loadAction(folderOf(id));
  if (!loaded.ok) throw new Error(`actions/${id} does not load:\n${loaded.problems.map(formatProblem).join('\n')}`);
  return loaded.definition;
}

function isPath(value: GivenInput, key: 'file' | 'directory'): value is Record<typeof key, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as Record<string, unknown>)[key] === 'string';
}

/** The inputs in the wrapper's terms, defaults filled as the runner fills them. */
function localInputs(definition: ActionDefinition, given: Readonly<Record<string, GivenInput>>): LocalInput[] {
  const unknown = Object.keys(given).filter((name) => !definition.inputs.some((io) => io.name === name));
  if (unknown.length > 0) throw new Error(`${definition.id} has no input ${unknown.join(', ')}`);
  const inputs: LocalInput[] = [];
  for (const io of definition.inputs) {
    const value = given[io.name];
    if (value === undefined) {
      if (io.default !== undefined) inputs.push({ name: io.name, kind: 'value', type: io.type, value: io.default });
      continue;
    }
    if (io.type === 'file' || io.type === 'directory') {
      if (!isPath(value, io.type)) throw new Error(`${io.name} is a ${io.type}: give { ${io.type}: '/path' }`);
      inputs.push({ name: io.name, kind: io.type, path: (value as Record<string, string>)[io.type] as string });
    } else {
      inputs.push({ name: io.name, kind: 'value', type: io.type, value: value as JsonValue });
    }
  }
  return inputs;
}

export type StandardRun = LocalOutcome & { readonly diagnostics: string };

/**
 * Runs `actions/<id>` once through the real action wrapper over gRPC, as the runner does: files
 * travel by URL to a local stand-in of the object store, outputs come back as local paths (under
 * a temporary folder the caller may read until the next call of `cleanUpRuns`).
 */
export async function runStandardAction(
  id: string,
  given: Readonly<Record<string, GivenInput>>,
  options: { readonly timeoutMs?: number } = {},
): Promise<StandardRun> {
  const definition = await definitionOf(id);
  const outDir = await mkdtemp(join(tmpdir(), `trellis-${id}-`));
  outputFolders.push(outDir);
  let diagnostics = '';
  const opened = await openSession(definition, localInputs(definition, given), {
    folder: folderOf(id), outDir, diagnostics: (text) => { diagnostics += text; },
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  if (!opened.ok) throw new Error(`actions/${id} cannot start: ${opened.cannotStart}`);
  const session: Session = opened.session;
  try {
    return { ...(await runOnce(session, definition)), diagnostics };
  } finally {
    await session.close();
  }
}

const outputFolders: string[] = [];

/** Removes the folders that held earlier runs' file outputs (an afterAll). */
export async function cleanUpRuns(): Promise<void> {
  for (const folder of outputFolders.splice(0)) await rm(folder, { recursive: true, force: true });
}
