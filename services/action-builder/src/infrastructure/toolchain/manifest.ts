import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ActionDefinition, IoDefinition as ManifestIo, ManifestProblem } from '@trellis/action-manifest/definition';
import { loadAction as loadManifest } from '@trellis/action-manifest/load';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import type { BuildFailure, LoadedAction, StepContext } from '../../application/ports.js';
import type { ActionDescription, IoDefinition, Logo } from '../../domain/action.js';

const ioOf = (io: ManifestIo): IoDefinition => ({
  name: io.name, type: io.type, help: io.help, optional: io.optional, values: io.values ?? [],
  ...(io.default === undefined ? {} : { default: io.default }),
  ...(io.injected === undefined ? {} : { injected: io.injected }),
});

export function describe(definition: ActionDefinition): ActionDescription {
  return {
    kind: definition.kind, id: definition.id, version: definition.version, name: definition.name, description: definition.description,
    runtime: definition.runtime, handler: definition.handler, categories: definition.categories,
    inputs: definition.inputs.map(ioOf), outputs: definition.outputs.map(ioOf), resources: definition.resources, format: definition.source.format,
  };
}

/** The media type of a logo the manifest check accepted (PNG, JPEG, GIF, WebP or SVG), by its first bytes. */
export function mediaTypeOf(bytes: Uint8Array): string {
  const starts = (...prefix: number[]) => prefix.every((byte, index) => bytes[index] === byte);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (starts(0x52, 0x49, 0x46, 0x46) && String.fromCharCode(...bytes.subarray(8, 12)) === 'WEBP') return 'image/webp';
  return 'image/svg+xml';
}

/** A manifest's problems as one reason: the first few, each with its file and line. */
export function reasonOf(problems: readonly ManifestProblem[]): string {
  const shown = problems.slice(0, 3).map((problem) =>
    problem.code === 'handler_syntax_error'
      ? `syntax error in ${problem.file} line ${problem.line}, column ${problem.column}: ${problem.message}`
      : `${problem.file} line ${problem.line}: ${problem.message}`);
  const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more problem(s)` : '';
  return `the action is not valid: ${shown.join('; ')}${more}`;
}

/** Reads the folder's manifest with @trellis/action-manifest (the same checks as a scan), and its logo. */
export async function loadAction(folder: string, context: StepContext, python?: string): Promise<Result<LoadedAction, BuildFailure>> {
  const loaded = await loadManifest(folder, python === undefined ? {} : { python });
  if (!loaded.ok) {
    for (const problem of loaded.problems) context.log.write(`${problem.file}:${problem.line}:${problem.column}: ${problem.code}: ${problem.message}`);
    return rejected({ reason: reasonOf(loaded.problems) });
  }
  const { definition } = loaded;
  context.log.write(`[builder] ${definition.source.manifest}: ${definition.kind} ${definition.id} ${definition.version} (${definition.runtime}, ${definition.source.format} format)`);
  let logo: Logo | null = null;
  if (definition.logo !== undefined) {
    const bytes = await readFile(path.join(folder, definition.logo));
    logo = { bytes: new Uint8Array(bytes), mediaType: mediaTypeOf(bytes) };
  }
  return ok({ description: describe(definition), logo, definition });
}
