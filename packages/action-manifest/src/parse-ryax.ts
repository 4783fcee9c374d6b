import type { YAMLMap } from 'yaml';
import type { ActionDefinition, ActionKind, InjectedValue, IoType, Resources, Runtime } from './definition.js';
import { readId, readRelativePath, readVersion } from './field-readers.js';
import { readIoList, type IoDialect } from './io-list.js';
import type { FileReference, FolderReferences, ParseResult } from './parse-result.js';
import { readQuantity } from './resources.js';
import {
  RYAX_API_VERSION,
  RYAX_HANDLERS,
  RYAX_INPUT_FIELDS,
  RYAX_INJECTED_INPUTS,
  RYAX_IO_TYPES,
  RYAX_KINDS,
  RYAX_MANIFEST_FIELDS,
  RYAX_OUTPUT_FIELDS,
  RYAX_RESOURCE_FIELDS,
  RYAX_RUNTIMES,
  RYAX_SPEC_FIELDS,
  RYAX_UNMAPPED_IO_TYPES,
  RYAX_UNSUPPORTED_RUNTIMES,
} from './ryax-fields.js';
import { reportUnsupported } from './ryax-unsupported.js';
import { parseRyaxMemory, parseRyaxTime } from './ryax-units.js';
import { didYouMean } from './suggest.js';
import { parseCpu } from './units.js';
import { readPyYamlSource } from './pyyaml-source.js';
import { asMap, fieldsOf, nodeOf, readRequiredString, readString, readStringList, type Field, type Source } from './yaml-source.js';

function ryaxIoType(raw: string): IoType | { readonly message: string } {
  const type = RYAX_IO_TYPES[raw];
  if (type !== undefined) return type;
  const instead = RYAX_UNMAPPED_IO_TYPES[raw];
  if (instead !== undefined) return { message: `Ryax type "${raw}" has no Trellis equivalent; use ${instead} instead` };
  const known = [...Object.keys(RYAX_IO_TYPES), ...Object.keys(RYAX_UNMAPPED_IO_TYPES)];
  return { message: `unknown type "${raw}"${didYouMean(raw, known)}; expected one of: ${Object.keys(RYAX_IO_TYPES).join(', ')}` };
}

/** An input the platform sets (ryax_endpoint_port, ryax_endpoint_prefix), if declared so it can be. */
function injectedInput(kind: ActionKind | undefined): (name: string, type: IoType) => InjectedValue | { readonly message: string } | undefined {
  return (name, type) => {
    const injected = RYAX_INJECTED_INPUTS[name];
    if (injected === undefined) return undefined;
    if (kind !== undefined && kind !== 'Trigger') {
      return { message: `"${name}" is set by the platform only for triggers (kind Source) that serve HTTP, and this action is a ${kind}; rename the input` };
    }
    if (!injected.types.includes(type)) return { message: `"${name}" is set by the platform to ${injected.what}; declare it as ${injected.types.join(' or ')}, not ${type}` };
    return injected.value;
  };
}

const OUTPUTS: IoDialect = {
  fields: RYAX_OUTPUT_FIELDS,
  valuesKey: 'enum_values',
  defaultKey: 'default_value',
  labelKey: 'human_name',
  mapType: ryaxIoType,
};
const inputs = (kind: ActionKind | undefined): IoDialect => ({ ...OUTPUTS, fields: RYAX_INPUT_FIELDS, defaultOnEveryType: true, injected: injectedInput(kind) });

/**
 * Parses a Ryax ryax_metadata.yaml (v2.0), read as Ryax reads it (PyYAML, see pyyaml-source.ts),
 * onto the same definition as a trellis.yaml: Source → Trigger, python3 → python, human_name →
 * name, time (seconds) → timeoutMs. What Trellis cannot honour (Nix dependencies, addons other
 * than http_service, options, dynamic outputs, gpu, CUDA and C# runtimes, table and bytes I/O) is
 * a problem of its own, never silently dropped.
 */
export function parseRyaxManifest(text: string, file = 'ryax_metadata.yaml'): ParseResult {
  const source = readPyYamlSource(text, file);
  if (source.problems.length > 0) return { ok: false, problems: source.problems, references: {} };
  const root = source.root === null ? undefined : asMap(source, source.root, 'the Ryax metadata');
  if (root === undefined) {
    if (source.root === null) source.report(null, 'not_a_mapping', `${file} is empty; start with "apiVersion: ${RYAX_API_VERSION}"`);
    return { ok: false, problems: source.problems, references: {} };
  }
  const top = fieldsOf(source, root, RYAX_MANIFEST_FIELDS, 'the Ryax metadata');
  const missing = (map: YAMLMap, name: string): undefined => {
    source.report(map, 'missing_field', `missing required field "${name}"`);
    return undefined;
  };
  const apiVersion = readString(source, top.get('apiVersion'), '"apiVersion"');
  const apiField = top.get('apiVersion');
  if (apiField === undefined) missing(root, 'apiVersion');
  else if (apiVersion !== undefined && apiVersion !== RYAX_API_VERSION) {
    source.report(nodeOf(apiField), 'bad_api_version', `unsupported Ryax apiVersion "${apiVersion}"; expected ${RYAX_API_VERSION}`);
  }
  const kind = readRyaxKind(source, top.get('kind'), () => missing(root, 'kind'));
  const specField = top.get('spec');
  if (specField === undefined) missing(root, 'spec');
  const spec = specField === undefined ? undefined : asMap(source, specField.value, '"spec"');
  if (spec === undefined) return { ok: false, problems: source.problems, references: {} };

  const fields = fieldsOf(source, spec, RYAX_SPEC_FIELDS, '"spec"');
  const id = fields.has('id') ? readId(source, fields.get('id')) : missing(spec, 'id');
  const version = fields.has('version') ? readVersion(source, fields.get('version'), true) : missing(spec, 'version');
  const name = readRequiredString(source, fields, 'human_name', spec, 'the name people see');
  const description = readString(source, fields.get('description'), '"description"') ?? '';
  const typeField = fields.get('type');
  const runtime = typeField === undefined ? missing(spec, 'type') : readRyaxRuntime(source, typeField, kind);
  const categories = readStringList(source, fields.get('categories'), '"categories"') ?? [];
  const logoPath = readRelativePath(source, fields.get('logo'), '"logo"');
  const inputList = readIoList(source, fields.get('inputs'), 'input', inputs(kind));
  const outputs = readIoList(source, fields.get('outputs'), 'output', OUTPUTS);
  const resources = readRyaxResources(source, fields.get('resources'));
  reportUnsupported(source, fields, { ...(kind === undefined ? {} : { kind }), ...(runtime === undefined ? {} : { runtime }) });

  const entry = kind === undefined ? undefined : kind === 'Trigger' ? 'run' : 'handle';
  const handler: FileReference | undefined =
    runtime === undefined || entry === undefined || typeField === undefined
      ? undefined
      : { path: RYAX_HANDLERS[runtime][entry], at: source.positionOf(nodeOf(typeField)), defaulted: true };
  const logoField = fields.get('logo');
  const logo: FileReference | undefined =
    logoPath === undefined || logoField === undefined ? undefined : { path: logoPath, at: source.positionOf(nodeOf(logoField)), defaulted: false };
  const references: FolderReferences = {
    format: 'ryax',
    ...(runtime === undefined ? {} : { runtime }),
    ...(entry === undefined ? {} : { entry }),
    ...(handler === undefined ? {} : { handler }),
    ...(logo === undefined ? {} : { logo }),
  };
  const complete = kind && id && version && name !== undefined && runtime && handler && inputList && outputs && resources;
  if (source.problems.length > 0 || !complete) return { ok: false, problems: source.problems, references };
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
    inputs: inputList,
    outputs,
    resources,
    source: { format: 'ryax', manifest: file },
  };
  return { ok: true, definition, references };
}

function readRyaxKind(source: Source, field: Field | undefined, missing: () => void): ActionKind | undefined {
  if (field === undefined) {
    missing();
    return undefined;
  }
  const raw = readString(source, field, '"kind"');
  if (raw === undefined) return undefined;
  const kind = RYAX_KINDS[raw];
  if (kind === undefined) {
    const kinds = Object.keys(RYAX_KINDS);
    source.report(nodeOf(field), 'bad_kind', `bad Ryax kind "${raw}"${didYouMean(raw, kinds)}; expected one of: ${kinds.join(', ')}`);
  }
  return kind;
}

function readRyaxRuntime(source: Source, field: Field, kind: ActionKind | undefined): Runtime | undefined {
  const raw = readString(source, field, '"type"');
  if (raw === undefined) return undefined;
  const runtime = RYAX_RUNTIMES[raw];
  const unsupported = RYAX_UNSUPPORTED_RUNTIMES[raw];
  if (unsupported !== undefined) source.report(nodeOf(field), 'unsupported_runtime', `Ryax type "${raw}" cannot run on Trellis: ${unsupported}`);
  else if (runtime === undefined) {
    const types = Object.keys(RYAX_RUNTIMES);
    source.report(nodeOf(field), 'bad_runtime', `Ryax type "${raw}" cannot run on Trellis${didYouMean(raw, types)}; expected one of: ${types.join(', ')}`);
  } else if (runtime === 'nodejs' && kind === 'Trigger') {
    source.report(nodeOf(field), 'unsupported_runtime', 'Ryax runs triggers (kind Source) in python3 only, and so does Trellis; write the trigger as ryax_run.py with "async def run(service, input_values)" and "type: python3"');
    return undefined;
  }
  return runtime;
}

function readRyaxResources(source: Source, field: Field | undefined): Resources | undefined {
  if (field === undefined || field.value === null) return {};
  const map = asMap(source, field.value, '"resources"');
  if (map === undefined) return undefined;
  const fields = fieldsOf(source, map, RYAX_RESOURCE_FIELDS, '"resources"');
  const before = source.problems.length;
  const cpu = readQuantity(source, fields.get('cpu'), parseCpu, 'bad_cpu');
  const memoryBytes = readQuantity(source, fields.get('memory'), parseRyaxMemory, 'bad_memory');
  const timeoutMs = readQuantity(source, fields.get('time'), parseRyaxTime, 'bad_timeout');
  const gpu = fields.get('gpu');
  if (gpu !== undefined) source.report(gpu.key, 'unsupported_gpu', 'Trellis does not schedule GPUs; remove "gpu" (the action then runs on CPU)');
  if (source.problems.length > before) return undefined;
  return {
    ...(cpu === undefined ? {} : { cpu }),
    ...(memoryBytes === undefined ? {} : { memoryBytes }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
}

