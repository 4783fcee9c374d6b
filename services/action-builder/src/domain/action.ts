/**
 * An action as a build found it in its folder: what ActionBuilt tells the rest of Trellis. Plain
 * data, read from the manifest at the edge (trellis.yaml or a Ryax ryax_metadata.yaml).
 */
export type IoDefinition = {
  readonly name: string;
  /** string, longstring, password, integer, float, boolean, enum, json, file, directory. */
  readonly type: string;
  readonly help: string;
  readonly optional: boolean;
  readonly values: readonly string[];
  /** The default as the manifest gives it (any JSON value), undefined when there is none. */
  readonly default?: unknown;
  /** An input the platform sets at run time (`http_port`, `http_prefix`). */
  readonly injected?: string;
};

export type ActionDescription = {
  readonly kind: string;
  readonly id: string;
  readonly version: string;
  readonly name: string;
  readonly description: string;
  readonly runtime: 'nodejs' | 'python';
  readonly handler: string;
  readonly categories: readonly string[];
  readonly inputs: readonly IoDefinition[];
  readonly outputs: readonly IoDefinition[];
  readonly resources: { readonly cpu?: number; readonly memoryBytes?: number; readonly timeoutMs?: number };
  /** trellis or ryax: how the wrapper calls the handler. */
  readonly format: 'trellis' | 'ryax';
};

/** An input or output as other services see it: a password's default never leaves the artifact. */
export type PublicIo = Omit<IoDefinition, 'default'> & {
  /** The default as JSON text; '' when there is none (or when it is a secret). */
  readonly defaultJson: string;
  readonly hasSecretDefault: boolean;
};

export type PublicAction = Omit<ActionDescription, 'inputs' | 'outputs'> & {
  readonly inputs: readonly PublicIo[];
  readonly outputs: readonly PublicIo[];
};

export type Logo = { readonly bytes: Uint8Array; readonly mediaType: string };

function publicIo(io: IoDefinition): PublicIo {
  const { default: value, ...rest } = io;
  if (value === undefined) return { ...rest, defaultJson: '', hasSecretDefault: false };
  if (io.type === 'password') return { ...rest, defaultJson: '', hasSecretDefault: true };
  return { ...rest, defaultJson: JSON.stringify(value), hasSecretDefault: false };
}

/** The description without secrets: what may travel on the broker and through the API. */
export function publicDescription(action: ActionDescription): PublicAction {
  return { ...action, inputs: action.inputs.map(publicIo), outputs: action.outputs.map(publicIo) };
}

export type ActionMismatch = { readonly type: 'ActionMismatch'; readonly reason: string };

/** The folder must hold the action the scan found: the same id and version. */
export function checkMatches(action: Pick<ActionDescription, 'id' | 'version'>, requested: { readonly actionId: string; readonly version: string }): ActionMismatch | undefined {
  if (action.id === requested.actionId && action.version === requested.version) return undefined;
  return {
    type: 'ActionMismatch',
    reason: `the folder holds action ${action.id} version ${action.version}, but the build asked for ${requested.actionId} version ${requested.version}; scan the source again`,
  };
}
