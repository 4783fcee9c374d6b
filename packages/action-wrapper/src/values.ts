import type { IoDefinition, IoType } from '@trellis/action-manifest/definition';
import { type Failure, FailureCode } from './failure.js';
import { type HttpEndpoint, injectedValueOf } from './http-endpoint.js';

/** A value as it travels on the wire (action.proto `Value`), without the protobuf types. */
export type WireValue =
  | { readonly type: 'string' | 'longstring' | 'password' | 'enum' | 'json'; readonly value: string }
  /** int64 as a decimal string: exact. */
  | { readonly type: 'integer'; readonly value: string }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'file'; readonly url: string; readonly name: string; readonly sizeBytes?: number }
  | { readonly type: 'directory'; readonly url: string; readonly sizeBytes?: number };

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Failure };

/** A file or directory input to download before the handler runs: its local path becomes the input's value. */
export type Download = { readonly name: string; readonly type: 'file' | 'directory'; readonly url: string; readonly fileName: string };
/** A file or directory output to upload after the handler returned. */
export type Upload = { readonly name: string; readonly type: 'file' | 'directory'; readonly path: string };

export type DecodedInputs = { readonly values: Record<string, unknown>; readonly downloads: readonly Download[] };
export type EncodedOutputs = { readonly values: Record<string, WireValue>; readonly uploads: readonly Upload[] };

const transferTypes: ReadonlySet<IoType> = new Set(['file', 'directory']);

export function isTransferType(type: IoType): type is 'file' | 'directory' {
  return transferTypes.has(type);
}

function badInput(message: string): { ok: false; error: Failure } {
  return { ok: false, error: { code: FailureCode.badInput, message } };
}

function badOutput(message: string): { ok: false; error: Failure } {
  return { ok: false, error: { code: FailureCode.badOutput, message } };
}

export type DecodeOptions = {
  /** An optional input given no value and without a default: left out (Trellis) or null (Ryax: `None`). */
  readonly unsetOptional: 'absent' | 'null';
  /** Where the action's HTTP server listens: inputs marked `injected` take their value from it, whatever the request says. */
  readonly endpoint?: HttpEndpoint;
};

/**
 * Checks the wire inputs against the declared inputs and turns them into the values a handler
 * receives: integers as numbers (safe range only), json parsed, defaults filled in, files and
 * directories left to download. Every unknown, missing or mistyped input is an error naming it.
 */
export function decodeInputs(
  declared: readonly IoDefinition[],
  wire: Readonly<Record<string, WireValue>>,
  options: DecodeOptions = { unsetOptional: 'absent' },
): Checked<DecodedInputs> {
  const byName = new Map(declared.map((io) => [io.name, io]));
  const unknown = Object.keys(wire).filter((name) => !byName.has(name));
  if (unknown.length > 0) return badInput(`unknown input${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}`);
  const values: Record<string, unknown> = {};
  const downloads: Download[] = [];
  for (const io of declared) {
    if (io.injected !== undefined && options.endpoint !== undefined) {
      values[io.name] = injectedValueOf(io, options.endpoint);
      continue;
    }
    const value = wire[io.name];
    if (value === undefined) {
      if (io.default !== undefined) values[io.name] = io.default;
      else if (!io.optional) return badInput(`input '${io.name}' (${io.type}) is required`);
      else if (options.unsetOptional === 'null') values[io.name] = null;
      continue;
    }
    if (value.type !== io.type) return badInput(`input '${io.name}' is declared ${io.type} but a ${value.type} value was given`);
    switch (value.type) {
      case 'string':
      case 'longstring':
      case 'password':
        values[io.name] = value.value;
        break;
      case 'enum':
        if (!(io.values ?? []).includes(value.value)) {
          return badInput(`input '${io.name}' must be one of ${(io.values ?? []).join(', ')}; got '${value.value}'`);
        }
        values[io.name] = value.value;
        break;
      case 'json':
        try {
          values[io.name] = JSON.parse(value.value);
        } catch (error) {
          return badInput(`input '${io.name}' is not valid JSON: ${(error as Error).message}`);
        }
        break;
      case 'integer': {
        const n = Number(value.value);
        if (!/^-?\d+$/.test(value.value) || !Number.isSafeInteger(n)) {
          return badInput(`input '${io.name}' (integer) ${value.value} is outside the safe range of ±(2^53-1)`);
        }
        values[io.name] = n;
        break;
      }
      case 'float':
      case 'boolean':
        values[io.name] = value.value;
        break;
      case 'file':
      case 'directory':
        if (value.url === '') return badInput(`input '${io.name}' (${value.type}) has no URL`);
        downloads.push({
          name: io.name,
          type: value.type,
          url: value.url,
          fileName: value.type === 'file' ? safeFileName(value.name) : io.name,
        });
        break;
    }
  }
  return { ok: true, value: { values, downloads } };
}

/** A bare file name a handler can trust: no directory part, never empty, `.` or `..`. */
export function safeFileName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  return base === '' || base === '.' || base === '..' ? 'input' : base;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `a ${typeof value}`;
}

/**
 * Checks what a handler returned against the declared outputs: an object keyed by output name,
 * every non-optional output present, each of its declared type. Files and directories are local
 * paths (relative ones against `workdir`) left to upload.
 */
export function encodeOutputs(declared: readonly IoDefinition[], returned: unknown, resolvePath: (p: string) => string): Checked<EncodedOutputs> {
  if (returned === undefined || returned === null) {
    if (declared.every((io) => io.optional)) return { ok: true, value: { values: {}, uploads: [] } };
    returned = {};
  }
  if (typeof returned !== 'object' || Array.isArray(returned)) {
    return badOutput(`the handler must return an object keyed by output name; it returned ${describe(returned)}`);
  }
  const record = returned as Record<string, unknown>;
  const byName = new Set(declared.map((io) => io.name));
  const unknown = Object.keys(record).filter((name) => !byName.has(name) && record[name] !== undefined);
  if (unknown.length > 0) {
    return badOutput(`unknown output${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')} (declared: ${[...byName].join(', ') || 'none'})`);
  }
  const values: Record<string, WireValue> = {};
  const uploads: Upload[] = [];
  for (const io of declared) {
    const value = record[io.name];
    if (value === undefined || (value === null && io.type !== 'json')) {
      if (!io.optional) return badOutput(`output '${io.name}' (${io.type}) is missing`);
      continue;
    }
    const wrongType = (): { ok: false; error: Failure } => badOutput(`output '${io.name}' must be ${io.type === 'integer' ? 'an' : 'a'} ${io.type}; got ${describe(value)}`);
    switch (io.type) {
      case 'string':
      case 'longstring':
      case 'password':
        if (typeof value !== 'string') return wrongType();
        values[io.name] = { type: io.type, value };
        break;
      case 'enum':
        if (typeof value !== 'string') return wrongType();
        if (!(io.values ?? []).includes(value)) return badOutput(`output '${io.name}' must be one of ${(io.values ?? []).join(', ')}; got '${value}'`);
        values[io.name] = { type: 'enum', value };
        break;
      case 'integer':
        if (typeof value === 'bigint') values[io.name] = { type: 'integer', value: value.toString() };
        else if (typeof value === 'number' && Number.isSafeInteger(value)) values[io.name] = { type: 'integer', value: String(value) };
        else return wrongType();
        break;
      case 'float':
        if (typeof value !== 'number') return wrongType();
        values[io.name] = { type: 'float', value };
        break;
      case 'boolean':
        if (typeof value !== 'boolean') return wrongType();
        values[io.name] = { type: 'boolean', value };
        break;
      case 'json': {
        let text: string | undefined;
        try {
          text = JSON.stringify(value);
        } catch (error) {
          return badOutput(`output '${io.name}' (json) cannot be serialised: ${(error as Error).message}`);
        }
        if (text === undefined) return wrongType();
        values[io.name] = { type: 'json', value: text };
        break;
      }
      case 'file':
      case 'directory':
        if (typeof value !== 'string' || value === '') return badOutput(`output '${io.name}' (${io.type}) must be a local path; got ${describe(value)}`);
        uploads.push({ name: io.name, type: io.type, path: resolvePath(value) });
        break;
    }
  }
  return { ok: true, value: { values, uploads } };
}
