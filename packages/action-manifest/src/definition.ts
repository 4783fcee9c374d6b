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

/**
 * Values the platform gives an input at run time, instead of a person: `http_port`, the TCP port
 * the action's HTTP server must listen on; `http_prefix`, the URL path prefix it is reached under
 * (the wrapper's `--http-prefix`; `/<action id>` when it is given none). Ryax actions that serve
 * HTTP read them as the inputs `ryax_endpoint_port` and `ryax_endpoint_prefix`.
 */
export const INJECTED_VALUES = ['http_port', 'http_prefix'] as const;
export type InjectedValue = (typeof INJECTED_VALUES)[number];

/** A JSON value, as carried by `json` inputs and outputs and by defaults. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type IoDefinition = {
  readonly name: string;
  readonly type: IoType;
  readonly help: string;
  readonly optional: boolean;
  /** Only for `enum`: the allowed values, at least one. */
  readonly values?: readonly string[];
  /**
   * Of the declared type (an integer for `integer`, one of `values` for `enum`…). A trellis.yaml
   * gives none to file, directory or password inputs; a Ryax `default_value` may be on any type
   * (a string for those three: a password's default is a secret like any other value).
   */
  readonly default?: JsonValue;
  /**
   * Inputs only: the platform sets this input when the action runs, so nobody is asked for it (a
   * form does not show it, a run request need not carry it). See INJECTED_VALUES.
   */
  readonly injected?: InjectedValue;
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
  /**
   * Where the definition came from. `format` says how the runtime calls the handler: `trellis`,
   * `handle(inputs, context)` and `run(context, inputs)`; `ryax`, as Ryax does, `handle(inputs)`
   * (Node: the module itself is the function, `module.exports = handle`) and
   * `run(service, input_values)`.
   */
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
