/** A JSON value, as carried by `json` inputs and outputs and by defaults. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One input or output of a built action, as every service after the builder sees it. */
export type IoSpec = {
  readonly name: string;
  /** One of the ten I/O types (string, longstring, password, integer, float, boolean, enum, json, file, directory). */
  readonly type: string;
  readonly help: string;
  readonly optional: boolean;
  /** Only for `enum`: the allowed values. */
  readonly values?: readonly string[];
  /** Never a password's value: its default is a secret (`hasSecretDefault` says it exists). */
  readonly default?: JsonValue;
  /** Set by the platform at run time (`http_port`, `http_prefix`): nobody fills it. */
  readonly injected?: string;
  readonly hasSecretDefault?: boolean;
};
