import type { ActionKind, InjectedValue, IoType, Runtime } from './definition.js';

/** The shape of a Ryax ryax_metadata.yaml (apiVersion ryax.tech/v2.0), as far as Trellis accepts it. */
export const RYAX_API_VERSION = 'ryax.tech/v2.0';
export const RYAX_MANIFEST_FIELDS = ['apiVersion', 'kind', 'spec'] as const;
export const RYAX_SPEC_FIELDS = [
  'id',
  'human_name',
  'description',
  'type',
  'version',
  'categories',
  'logo',
  'resources',
  'inputs',
  'outputs',
  'dependencies',
  'addons',
  'options',
  'dynamic_outputs',
] as const;
export const RYAX_INPUT_FIELDS = ['name', 'human_name', 'help', 'type', 'enum_values', 'default_value', 'optional'] as const;
export const RYAX_OUTPUT_FIELDS = ['name', 'human_name', 'help', 'type', 'enum_values', 'optional'] as const;
export const RYAX_RESOURCE_FIELDS = ['cpu', 'memory', 'time', 'gpu'] as const;

/** Ryax kinds (current singular names, and the plural ones of older manifests). */
export const RYAX_KINDS: Readonly<Record<string, ActionKind>> = {
  Processor: 'Processor',
  Functions: 'Processor',
  Source: 'Trigger',
  Sources: 'Trigger',
  Publisher: 'Publisher',
  Publishers: 'Publisher',
};

export const RYAX_RUNTIMES: Readonly<Record<string, Runtime>> = { python3: 'python', nodejs: 'nodejs' };

/** Ryax action types (`spec.type`) Trellis cannot run, and what to do instead. */
export const RYAX_UNSUPPORTED_RUNTIMES: Readonly<Record<string, string>> = {
  'python3-cuda': 'Trellis has no CUDA image and schedules no GPUs; use "type: python3" if the action can run on CPU',
  'csharp-dotnet6': 'Trellis runs python3 and nodejs actions only; port the action to one of them',
  internal: '"internal" is for actions built into Ryax itself; use python3 or nodejs',
};

/**
 * Inputs the platform fills at run time (Ryax's HTTP endpoint of a trigger), with the I/O types
 * that can hold the value.
 */
export const RYAX_INJECTED_INPUTS: Readonly<Record<string, { readonly value: InjectedValue; readonly types: readonly IoType[]; readonly what: string }>> = {
  ryax_endpoint_port: { value: 'http_port', types: ['integer', 'string'], what: 'the port its HTTP server listens on' },
  ryax_endpoint_prefix: { value: 'http_prefix', types: ['string', 'longstring'], what: 'the URL path prefix it is reached under' },
};

/** `addons.http_service`: the HTTP endpoint every Trellis-run Ryax trigger gets (see docs/actions.md). */
export const RYAX_HTTP_SERVICE_FIELDS = ['port', 'endpoint_prefix', 'strip_path_prefix'] as const;

/** Ryax I/O types that have a Trellis equivalent. */
export const RYAX_IO_TYPES: Readonly<Record<string, IoType>> = {
  string: 'string',
  longstring: 'longstring',
  password: 'password',
  integer: 'integer',
  float: 'float',
  boolean: 'boolean',
  enum: 'enum',
  file: 'file',
  directory: 'directory',
};
/**
 * Ryax I/O types with no Trellis equivalent, and what to use instead: a type a Ryax manifest can
 * declare (it has no `json`).
 */
export const RYAX_UNMAPPED_IO_TYPES: Readonly<Record<string, string>> = { table: 'longstring (the rows as JSON or CSV text) or file', bytes: 'file' };

/** Handler file names by runtime and by whether the action is a trigger (a Ryax Source). */
export const RYAX_HANDLERS = {
  python: { handle: 'ryax_handler.py', run: 'ryax_run.py' },
  nodejs: { handle: 'ryax_handler.js', run: 'ryax_run.js' },
} as const;
