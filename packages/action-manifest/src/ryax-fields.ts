import type { ActionKind, IoType, Runtime } from './definition.js';

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

export const RYAX_RUNTIMES: Readonly<Record<string, Runtime>> = { python3: 'python', 'python3-cuda': 'python', nodejs: 'nodejs' };

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
/** Ryax I/O types with no Trellis equivalent, and what to use instead. */
export const RYAX_UNMAPPED_IO_TYPES: Readonly<Record<string, string>> = { table: 'json', bytes: 'file' };

/** Handler file names by runtime and by whether the action is a trigger (a Ryax Source). */
export const RYAX_HANDLERS = {
  python: { handle: 'ryax_handler.py', run: 'ryax_run.py' },
  nodejs: { handle: 'ryax_handler.js', run: 'ryax_run.js' },
} as const;
