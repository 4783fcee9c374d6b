import type { Node } from 'yaml';
import { RUNTIMES, type ActionDefinition, type ActionKind, type Runtime } from './definition.js';
import { readId, readKind, readRelativePath, readVersion } from './field-readers.js';
import { readIoList, trellisIoType, type IoDialect } from './io-list.js';
import { API_VERSION, DEFAULT_HANDLERS, HANDLER_EXTENSIONS, INPUT_FIELDS, MANIFEST_FIELDS, OUTPUT_FIELDS, RESOURCE_FIELDS } from './manifest-fields.js';
import type { FileReference, FolderReferences, ParseResult } from './parse-result.js';
import { readResources } from './resources.js';
import { didYouMean } from './suggest.js';
import { asMap, fieldsOf, nodeOf, readRequiredString, readString, readStringList, readSource, type Field, type Source } from './yaml-source.js';

const INPUTS: IoDialect = { fields: INPUT_FIELDS, valuesKey: 'values', defaultKey: 'default', mapType: trellisIoType };
const OUTPUTS: IoDialect = { ...INPUTS, fields: OUTPUT_FIELDS };

/** Parses and validates the text of a trellis.yaml (no file system: the folder checks are in load.ts). */
export function parseManifest(text: string, file = 'trellis.yaml'): ParseResult {
  const source = readSource(text, file);
  if (source.problems.length > 0) return { ok: false, problems: source.problems, references: {} };
  const map = source.root === null ? undefined : asMap(source, source.root, 'the manifest');
  if (map === undefined) {
    if (source.root === null) source.report(null, 'not_a_mapping', `${file} is empty; start with "apiVersion: ${API_VERSION}"`);
    return { ok: false, problems: source.problems, references: {} };
  }
  const fields = fieldsOf(source, map, MANIFEST_FIELDS, 'the manifest');
  const missing = (name: string): void => source.report(map, 'missing_field', `missing required field "${name}"`);

  readApiVersion(source, fields.get('apiVersion'), missing);
  const kind = required(fields, 'kind', missing) && readKind(source, fields.get('kind'));
  const id = required(fields, 'id', missing) && readId(source, fields.get('id'));
  const version = required(fields, 'version', missing) && readVersion(source, fields.get('version'));
  const name = readRequiredString(source, fields, 'name', map, 'a short name people see');
  const description = readString(source, fields.get('description'), '"description"') ?? '';
  const runtime = required(fields, 'runtime', missing) && readRuntime(source, fields.get('runtime'));
  const handler = readHandler(source, fields.get('handler'), fields.get('runtime'), runtime || undefined);
  const categories = readStringList(source, fields.get('categories'), '"categories"') ?? [];
  const logoPath = readRelativePath(source, fields.get('logo'), '"logo"');
  const inputs = readIoList(source, fields.get('inputs'), 'input', INPUTS);
  const outputs = readIoList(source, fields.get('outputs'), 'output', OUTPUTS);
  const resources = readResources(source, fields.get('resources'), RESOURCE_FIELDS);

  const logoField = fields.get('logo');
  const logo: FileReference | undefined =
    logoPath === undefined || logoField === undefined ? undefined : { path: logoPath, at: source.positionOf(nodeOf(logoField)), defaulted: false };
  const references: FolderReferences = {
    ...(runtime ? { runtime } : {}),
    ...(kind ? { entry: entryOf(kind) } : {}),
    ...(handler === undefined ? {} : { handler }),
    ...(logo === undefined ? {} : { logo }),
  };
  if (source.problems.length > 0 || !kind || !id || !version || name === undefined || !runtime || handler === undefined) {
    return { ok: false, problems: source.problems, references };
  }
  if (inputs === undefined || outputs === undefined || resources === undefined) return { ok: false, problems: source.problems, references };
  const definition: ActionDefinition = {
    kind,
    id,
    version,
    name,
    description,
    runtime,
    handler: handler.path,
    categories,
    ...(logo === undefined ? {} : { logo: logo.path }),
    inputs,
    outputs,
    resources,
    source: { format: 'trellis', manifest: file },
  };
  return { ok: true, definition, references };
}

/** The function a handler of this kind exports. */
export function entryOf(kind: ActionKind): 'handle' | 'run' {
  return kind === 'Trigger' ? 'run' : 'handle';
}

function required(fields: Map<string, Field>, name: string, missing: (name: string) => void): boolean {
  if (fields.has(name)) return true;
  missing(name);
  return false;
}

function readApiVersion(source: Source, field: Field | undefined, missing: (name: string) => void): void {
  if (field === undefined) return missing('apiVersion');
  const value = readString(source, field, '"apiVersion"');
  if (value !== undefined && value !== API_VERSION) {
    source.report(nodeOf(field), 'bad_api_version', `unsupported apiVersion "${value}"; expected ${API_VERSION}`);
  }
}

function readRuntime(source: Source, field: Field | undefined): Runtime | undefined {
  const raw = readString(source, field, '"runtime"');
  if (raw === undefined || field === undefined) return undefined;
  const runtime = RUNTIMES.find((candidate) => candidate === raw);
  if (runtime === undefined) source.report(nodeOf(field), 'bad_runtime', `bad runtime "${raw}"${didYouMean(raw, RUNTIMES)}; expected one of: ${RUNTIMES.join(', ')}`);
  return runtime;
}

/** The handler path: given, or the runtime's default (then pointing at `runtime:` for folder problems). */
function readHandler(source: Source, field: Field | undefined, runtimeField: Field | undefined, runtime: Runtime | undefined): FileReference | undefined {
  if (field === undefined) {
    if (runtime === undefined || runtimeField === undefined) return undefined;
    return { path: DEFAULT_HANDLERS[runtime], at: source.positionOf(nodeOf(runtimeField)), defaulted: true };
  }
  const handlerPath = readRelativePath(source, field, '"handler"');
  if (handlerPath === undefined) return undefined;
  const node: Node = nodeOf(field);
  if (runtime !== undefined) {
    const extensions: readonly string[] = HANDLER_EXTENSIONS[runtime];
    if (!extensions.some((extension) => handlerPath.endsWith(extension))) {
      source.report(node, 'handler_runtime_mismatch', `handler "${handlerPath}" cannot run on ${runtime}; expected a file ending in ${extensions.join(', ')}`);
      return undefined;
    }
  }
  return { path: handlerPath, at: source.positionOf(node), defaulted: false };
}
