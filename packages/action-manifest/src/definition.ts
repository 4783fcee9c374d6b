/**
 * An action as Trellis understands it, whatever manifest it came from (trellis.yaml or a Ryax
 * ryax_metadata.yaml). Plain data: the wrapper, the builder and the runner all read it.
 */
export const IO_TYPES = ['string', 'longstring', 'password', 'integer', 'float', 'boolean', 'enum', 'json', 'file', 'directory'] as const;
export type IoType = (typeof IO_TYPES)[number];

export const KINDS = ['Trigger', 'Processor', 'Publisher'] as const;
export type ActionKind = (typeof KINDS)[number];

export const RUNTIMES = ['nodejs', 'python'] as const;
export type Runtime = (typeof RUNTIMES)[number];

/** A JSON value, as carried by `json` inputs and outputs and by defaults. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type IoDefinition = {
  readonly name: string;
  readonly type: IoType;
  readonly help: string;
  readonly optional: boolean;
  /** Only for `enum`: the allowed values, at least one. */
  readonly values?: readonly string[];
  /** Of the declared type (an integer for `integer`, one of `values` for `enum`…); never for file, directory or password. */
  readonly default?: JsonValue;
};

export type Resources = {
  /** CPU cores, e.g. 0.5. */
  readonly cpu?: number;
  /** Bytes (the manifest says `256Mi`, `1Gi`, `500M`…). */
  readonly memoryBytes?: number;
  /** Milliseconds one execution may take (the manifest says `90s`, `5m`, `500ms`…). */
  readonly timeoutMs?: number;
};

export type ActionDefinition = {
  readonly kind: ActionKind;
  /** 3-64 of [a-z0-9-], unique per project. */
  readonly id: string;
  /** Semantic version, e.g. 1.2.0. */
  readonly version: string;
  readonly name: string;
  readonly description: string;
  readonly runtime: Runtime;
  /** Path of the handler file, relative to the action folder. */
  readonly handler: string;
  readonly categories: readonly string[];
  /** Path of the logo, relative to the action folder. */
  readonly logo?: string;
  readonly inputs: readonly IoDefinition[];
  readonly outputs: readonly IoDefinition[];
  readonly resources: Resources;
  /** Where the definition came from. */
  readonly source: { readonly format: 'trellis' | 'ryax'; readonly manifest: string };
};

/** A problem a person can act on, pointing at the file, line and column (1-based) that cause it. */
export type ManifestProblem = {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** Stable identifier, e.g. `unknown_field`, `bad_id`, `missing_handler`. */
  readonly code: string;
};

export type LoadResult =
  | { readonly ok: true; readonly definition: ActionDefinition }
  | { readonly ok: false; readonly problems: readonly ManifestProblem[] };
