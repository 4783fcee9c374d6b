import type { IoSpec, JsonValue } from '@trellis/kernel/io';
import { WORKFLOW_SHAPE, type FieldSpec, type ObjectShape } from './document-shape.js';
import { parseDuration } from './duration.js';
import type { Path } from './expression.js';
import { isSiteName, readCpu, readMemory, type SiteName, type StepResources } from './resources.js';
import { isIoType, type IoType } from './value-types.js';

/** One thing wrong with a document: a stable code, where (a path into the document) and why. */
export type Problem = { readonly code: string; readonly path: Path; readonly message: string };

/** `steps[2].inputs.n`; a key that is not a plain name is quoted: `results["a b"]`. */
export function pathText(path: Path): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** An input a trigger declares: an action's I/O as every service sees it, with a type checked to be one of the ten. */
export type IoDeclaration = Pick<IoSpec, 'name' | 'help' | 'optional' | 'values' | 'default'> & { readonly type: IoType };

export type Trigger =
  | { readonly type: 'http'; readonly path: string; readonly timeoutMs: number; readonly auth: 'required' | 'none'; readonly inputs: readonly IoDeclaration[] }
  | { readonly type: 'manual'; readonly inputs: readonly IoDeclaration[] }
  | {
      readonly type: 'schedule'; readonly cron: string; readonly timezone: string; readonly missed: 'skip' | 'catch_up'; readonly catchUpLimit: number;
      readonly inputs: Readonly<Record<string, JsonValue>>;
    }
  | { readonly type: 'action'; readonly action: string; readonly inputs: Readonly<Record<string, JsonValue>> };

export type Retry = {
  readonly attempts: number;
  readonly backoffMs: number;
  readonly maxDelayMs: number;
  /** The ActionError codes retried, besides timeouts and crashes (always retryable). */
  readonly on: readonly string[];
};

/**
 * A step that waits instead of calling an action: for a signal (an approval, a callback), or for
 * a time (`wait: { for: 10m }`, a delay: no signal, it succeeds when its time has passed, as
 * `onTimeout: 'succeed'` says). Either way the run holds no process meanwhile.
 */
export type Wait = {
  /** Absent for a delay. */
  readonly signal?: string;
  readonly timeoutMs?: number;
  readonly onTimeout: 'fail' | 'skip' | 'succeed';
};

export type Step = {
  /** Its place in `steps`: paths of problems start with `steps[index]`. */
  readonly index: number;
  readonly id: string;
  readonly title?: string;
  /** `id` or `id@version` as written; '' when the step has none (a wait step, or a shape problem). */
  readonly action: string;
  /** A wait step's signal (it has no action). */
  readonly wait?: Wait;
  readonly needs: readonly string[];
  readonly when?: JsonValue;
  readonly foreach?: JsonValue;
  readonly parallelism: number;
  readonly failFast: boolean;
  readonly inputs: Readonly<Record<string, JsonValue>>;
  readonly retry?: Retry;
  readonly timeoutMs?: number;
  readonly onFailure?: string;
  /** Replaces the action's manifest cpu and memory for this step's calls. */
  readonly resources?: StepResources;
};

/** A workflow document as the engine and the validator read it: absent optional fields take their defaults. */
export type WorkflowDocument = {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** Undefined when the document has none (or a malformed one): a problem says so. */
  readonly trigger?: Trigger;
  readonly steps: readonly Step[];
  readonly results: Readonly<Record<string, JsonValue>>;
  readonly onFinish?: { readonly webhook: string };
  /** A run still going after this long fails (`run_timeout`). */
  readonly timeoutMs?: number;
  /** Where its actions run; undefined: the instance's default. */
  readonly site?: SiteName;
};

export const DEFAULTS = { httpTimeoutMs: 30_000, parallelism: 10, backoffMs: 1_000, maxDelayMs: 300_000, timezone: 'UTC', catchUpLimit: 10 } as const;

type JsonObject = { readonly [key: string]: JsonValue };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return `a ${typeof value}`;
}

const expected: Record<FieldSpec['kind'], string> = {
  string: 'a string', integer: 'an integer', boolean: 'true or false', duration: 'a duration such as 500ms, 30s, 5m or 1h',
  quantity: 'a number or a string with a unit', value: 'a value', object: 'an object', list: 'a list', map: 'an object of names to values', variants: 'an object',
};

/** Every shape problem of `value` against `spec`, at `path`. */
function checkSpec(value: JsonValue, spec: FieldSpec, path: Path, out: Problem[]): void {
  const wrongType = (): void => {
    out.push({ code: 'wrong_type', path, message: `Expected ${expected[spec.kind]}, found ${jsonTypeOf(value)}.` });
  };
  switch (spec.kind) {
    case 'value':
      return;
    case 'string':
      if (typeof value !== 'string') return wrongType();
      if (spec.oneOf && !spec.oneOf.includes(value)) {
        out.push({ code: 'invalid_value', path, message: `${JSON.stringify(value.slice(0, 100))} is not one of ${spec.oneOf.join(', ')}.` });
      } else if (spec.maxLength !== undefined && value.length > spec.maxLength) {
        out.push({ code: 'invalid_value', path, message: `Too long: at most ${spec.maxLength} characters.` });
      } else if (spec.pattern && !spec.pattern.test(value)) {
        out.push({ code: 'invalid_value', path, message: `${JSON.stringify(value.slice(0, 100))} is not valid: ${spec.patternText ?? 'wrong format'}.` });
      }
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return wrongType();
      if (value < spec.min || value > spec.max) out.push({ code: 'invalid_value', path, message: `Must be between ${spec.min} and ${spec.max}.` });
      return;
    case 'boolean':
      if (typeof value !== 'boolean') wrongType();
      return;
    case 'duration':
      if (parseDuration(value) === undefined) {
        out.push({ code: 'bad_duration', path, message: `${JSON.stringify(value)} is not a duration: write e.g. 500ms, 30s, 5m, 1h30m (or 0).` });
      }
      return;
    case 'quantity': {
      const parsed = spec.of === 'cpu' ? readCpu(value) : readMemory(value);
      if (!parsed.ok) out.push({ code: `bad_${spec.of}`, path, message: `${parsed.message[0]?.toUpperCase() ?? ''}${parsed.message.slice(1)}.` });
      return;
    }
    case 'list':
      if (!Array.isArray(value)) return wrongType();
      if (value.length > spec.maxItems) out.push({ code: 'too_many', path, message: `At most ${spec.maxItems} items.` });
      value.forEach((item, index) => checkSpec(item, spec.of, [...path, index], out));
      return;
    case 'map': {
      if (!isObject(value)) return wrongType();
      const entries = Object.entries(value);
      if (entries.length > spec.maxItems) out.push({ code: 'too_many', path, message: `At most ${spec.maxItems} entries.` });
      for (const [key, item] of entries) {
        if (!spec.keyPattern.test(key)) out.push({ code: 'invalid_name', path: [...path, key], message: `${JSON.stringify(key.slice(0, 100))} is not ${spec.keyPatternText}.` });
        checkSpec(item, spec.of, [...path, key], out);
      }
      return;
    }
    case 'object':
      if (!isObject(value)) return wrongType();
      return checkShape(value, spec.shape, path, out);
    case 'variants': {
      if (!isObject(value)) return wrongType();
      const tag = value[spec.discriminator];
      const names = Object.keys(spec.variants);
      if (tag === undefined) {
        out.push({ code: 'missing_field', path: [...path, spec.discriminator], message: `${spec.discriminator} is required: one of ${names.join(', ')}.` });
        return;
      }
      const shape = typeof tag === 'string' ? spec.variants[tag] : undefined;
      if (!shape) {
        out.push({ code: 'unknown_trigger_type', path: [...path, spec.discriminator], message: `${JSON.stringify(tag)} is not a trigger type: one of ${names.join(', ')}.` });
        return;
      }
      checkShape(value, shape, path, out);
    }
  }
}

function checkShape(value: JsonObject, shape: ObjectShape, path: Path, out: Problem[]): void {
  const known = new Set(shape.fields.map((field) => field.name));
  for (const field of shape.fields) {
    const item = value[field.name];
    if (item === undefined) {
      if (field.required) out.push({ code: path.length === 0 && field.name === 'trigger' ? 'missing_trigger' : 'missing_field', path: [...path, field.name], message: `${field.name} is required.` });
      continue;
    }
    checkSpec(item, field.spec, [...path, field.name], out);
  }
  for (const key of Object.keys(value)) {
    if (!known.has(key)) {
      out.push({ code: 'unknown_field', path: [...path, key], message: `${shape.title} has no field ${JSON.stringify(key.slice(0, 100))}; fields: ${[...known].join(', ')}.` });
    }
  }
}

/** Every shape problem of a document (types, required and unknown fields, formats), all at once. */
export function shapeProblems(raw: JsonValue): Problem[] {
  const out: Problem[] = [];
  if (!isObject(raw)) return [{ code: 'wrong_type', path: [], message: `A workflow is an object, found ${jsonTypeOf(raw)}.` }];
  checkShape(raw, WORKFLOW_SHAPE, [], out);
  list(raw['steps']).forEach((step, index) => {
    if (isObject(step)) checkActionOrWait(step, ['steps', index], out);
  });
  return out;
}

/** What a wait step cannot have: it calls nothing, so it has no inputs, items, retries or call deadline. */
const NOT_FOR_WAIT = ['inputs', 'foreach', 'parallelism', 'fail_fast', 'retry', 'timeout', 'resources'] as const;

/** A step has an action or a wait, never both; a wait step has none of the fields of a call. */
function checkActionOrWait(step: JsonObject, path: Path, out: Problem[]): void {
  const hasAction = step['action'] !== undefined;
  const hasWait = step['wait'] !== undefined;
  if (!hasAction && !hasWait) out.push({ code: 'missing_field', path: [...path, 'action'], message: 'action is required (or wait, for a step that waits for a signal).' });
  if (hasAction && hasWait) out.push({ code: 'action_and_wait', path: [...path, 'wait'], message: 'A step has an action or a wait, not both.' });
  if (!hasWait) return;
  checkSignalOrDelay(step['wait'], [...path, 'wait'], out);
  for (const field of NOT_FOR_WAIT) {
    if (step[field] !== undefined) out.push({ code: 'not_for_wait', path: [...path, field], message: `A wait step calls no action: it has no ${field} (the wait's own timeout is wait.timeout).` });
  }
}

/** A wait waits for a signal or for a time (`for`, a delay), not both; a delay has no timeout of its own. */
function checkSignalOrDelay(wait: JsonValue | undefined, path: Path, out: Problem[]): void {
  if (!isObject(wait)) return;
  const hasSignal = wait['signal'] !== undefined;
  const hasFor = wait['for'] !== undefined;
  if (!hasSignal && !hasFor) out.push({ code: 'missing_field', path: [...path, 'signal'], message: 'signal is required (or for, to wait a while: wait: { for: 10m }).' });
  if (hasSignal && hasFor) out.push({ code: 'signal_and_delay', path: [...path, 'for'], message: 'A wait waits for a signal or for a time (for), not both: use timeout to stop waiting for a signal.' });
  if (!hasFor || hasSignal) return;
  for (const field of ['timeout', 'on_timeout'] as const) {
    if (wait[field] !== undefined) out.push({ code: 'not_for_delay', path: [...path, field], message: `A delay (wait.for) ends when its time has passed: it has no ${field}.` });
  }
}

/* Lenient reading: a malformed part is left out or defaulted (shapeProblems has reported it). */

const str = (value: JsonValue | undefined): string | undefined => (typeof value === 'string' ? value : undefined);
const int = (value: JsonValue | undefined): number | undefined => (typeof value === 'number' && Number.isInteger(value) ? value : undefined);
const obj = (value: JsonValue | undefined): JsonObject => (isObject(value) ? value : {});
const list = (value: JsonValue | undefined): readonly JsonValue[] => (Array.isArray(value) ? value : []);
const duration = (value: JsonValue | undefined): number | undefined => (value === undefined ? undefined : parseDuration(value));

function readDeclarations(value: JsonValue | undefined): IoDeclaration[] {
  const out: IoDeclaration[] = [];
  for (const item of list(value)) {
    const declaration = obj(item);
    const name = str(declaration['name']);
    const type = declaration['type'];
    if (name === undefined || !isIoType(type)) continue;
    const values = list(declaration['values']).filter((v): v is string => typeof v === 'string');
    out.push({
      name, type, help: str(declaration['help']) ?? '', optional: declaration['optional'] === true,
      ...(Array.isArray(declaration['values']) ? { values } : {}),
      ...(declaration['default'] !== undefined ? { default: declaration['default'] } : {}),
    });
  }
  return out;
}

function readTrigger(value: JsonValue | undefined): Trigger | undefined {
  if (!isObject(value)) return undefined;
  switch (value['type']) {
    case 'http': {
      const path = str(value['path']);
      if (path === undefined) return undefined;
      return {
        type: 'http', path, timeoutMs: duration(value['timeout']) ?? DEFAULTS.httpTimeoutMs,
        auth: value['auth'] === 'none' ? 'none' : 'required', inputs: readDeclarations(value['inputs']),
      };
    }
    case 'manual':
      return { type: 'manual', inputs: readDeclarations(value['inputs']) };
    case 'schedule': {
      const cron = str(value['cron']);
      if (cron === undefined) return undefined;
      return {
        type: 'schedule', cron, timezone: str(value['timezone']) ?? DEFAULTS.timezone, missed: value['missed'] === 'catch_up' ? 'catch_up' : 'skip',
        catchUpLimit: int(value['catch_up_limit']) ?? DEFAULTS.catchUpLimit, inputs: obj(value['inputs']),
      };
    }
    case 'action': {
      const action = str(value['action']);
      if (action === undefined) return undefined;
      return { type: 'action', action, inputs: obj(value['inputs']) };
    }
    default:
      return undefined;
  }
}

function readRetry(value: JsonValue | undefined): Retry | undefined {
  if (!isObject(value)) return undefined;
  const attempts = int(value['attempts']);
  if (attempts === undefined || attempts < 1) return undefined;
  return {
    attempts, backoffMs: duration(value['backoff']) ?? DEFAULTS.backoffMs, maxDelayMs: duration(value['max_delay']) ?? DEFAULTS.maxDelayMs,
    on: list(value['on']).filter((code): code is string => typeof code === 'string'),
  };
}

function readWait(value: JsonValue | undefined): Wait | undefined {
  if (!isObject(value)) return undefined;
  const delayMs = duration(value['for']);
  if (delayMs !== undefined && value['signal'] === undefined) return { timeoutMs: delayMs, onTimeout: 'succeed' };
  const signal = str(value['signal']);
  if (signal === undefined) return undefined;
  const timeoutMs = duration(value['timeout']);
  return { signal, onTimeout: value['on_timeout'] === 'skip' ? 'skip' : 'fail', ...(timeoutMs !== undefined && timeoutMs > 0 ? { timeoutMs } : {}) };
}

function readResources(value: JsonValue | undefined): StepResources | undefined {
  if (!isObject(value)) return undefined;
  const cpu = value['cpu'] === undefined ? undefined : readCpu(value['cpu']);
  const memory = value['memory'] === undefined ? undefined : readMemory(value['memory']);
  const resources = { ...(cpu?.ok ? { cpu: cpu.value } : {}), ...(memory?.ok ? { memoryBytes: memory.value } : {}) };
  return Object.keys(resources).length > 0 ? resources : undefined;
}

function readStep(value: JsonValue, index: number): Step | undefined {
  if (!isObject(value)) return undefined;
  const id = str(value['id']);
  if (id === undefined) return undefined;
  // A step without a (valid) action stays, with action '': its outputs are unknown, its id is not.
  const action = str(value['action']) ?? '';
  const title = str(value['title']);
  const retry = readRetry(value['retry']);
  const timeoutMs = duration(value['timeout']);
  const onFailure = str(value['on_failure']);
  const wait = readWait(value['wait']);
  const resources = readResources(value['resources']);
  return {
    index, id, action,
    ...(wait ? { wait } : {}),
    ...(title !== undefined ? { title } : {}),
    needs: list(value['needs']).filter((need): need is string => typeof need === 'string'),
    ...(value['when'] !== undefined ? { when: value['when'] } : {}),
    ...(value['foreach'] !== undefined ? { foreach: value['foreach'] } : {}),
    parallelism: int(value['parallelism']) ?? DEFAULTS.parallelism,
    failFast: value['fail_fast'] === true,
    inputs: obj(value['inputs']),
    ...(retry ? { retry } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(onFailure !== undefined ? { onFailure } : {}),
    ...(resources ? { resources } : {}),
  };
}

/**
 * The document as typed data. Never fails: what is malformed is left out (a step without an id
 * or action, a trigger without its required field) or defaulted; `shapeProblems` names it.
 */
export function readDocument(raw: JsonValue): WorkflowDocument {
  const document = obj(raw);
  const trigger = readTrigger(document['trigger']);
  const webhook = str(obj(document['on_finish'])['webhook']);
  const timeoutMs = duration(document['timeout']);
  const site = document['site'];
  return {
    name: str(document['name']) ?? '',
    title: str(document['title']) ?? '',
    description: str(document['description']) ?? '',
    ...(trigger ? { trigger } : {}),
    steps: list(document['steps']).flatMap((step, index) => readStep(step, index) ?? []),
    results: obj(document['results']),
    ...(webhook !== undefined ? { onFinish: { webhook } } : {}),
    ...(timeoutMs !== undefined && timeoutMs > 0 ? { timeoutMs } : {}),
    ...(isSiteName(site) ? { site } : {}),
  };
}

/** The action references a document names: its steps' and its trigger action's (`id` or `id@version`). */
export function actionReferences(raw: JsonValue): { path: Path; reference: string }[] {
  const document = obj(raw);
  const out: { path: Path; reference: string }[] = [];
  const trigger = obj(document['trigger']);
  const triggerAction = str(trigger['action']);
  if (trigger['type'] === 'action' && triggerAction !== undefined) out.push({ path: ['trigger', 'action'], reference: triggerAction });
  list(document['steps']).forEach((step, index) => {
    const action = str(obj(step)['action']);
    if (action !== undefined) out.push({ path: ['steps', index, 'action'], reference: action });
  });
  return out;
}

/** `add-one@1.0.0` -> { id: 'add-one', version: '1.0.0' }; `add-one` -> { id: 'add-one' }. */
export function splitActionReference(reference: string): { id: string; version?: string } {
  const at = reference.indexOf('@');
  return at < 0 ? { id: reference } : { id: reference.slice(0, at), version: reference.slice(at + 1) };
}

/** A copy of `raw` with the string at `path` replaced (used to pin `id` to `id@version`). */
export function withValueAt(raw: JsonValue, path: Path, replacement: JsonValue): JsonValue {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  if (Array.isArray(raw) && typeof head === 'number') return raw.map((item, index) => (index === head ? withValueAt(item, rest, replacement) : item));
  if (isObject(raw) && typeof head === 'string' && head in raw) {
    return Object.fromEntries(Object.entries(raw).map(([key, item]) => [key, key === head ? withValueAt(item, rest, replacement) : item]));
  }
  return raw;
}
