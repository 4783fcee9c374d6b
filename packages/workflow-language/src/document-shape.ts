import type { JsonValue } from '@trellis/kernel/io';
import { SITE_NAMES } from './resources.js';
import { IO_TYPES } from './value-types.js';

/*
 * The workflow document's shape, declared once. The reader (document.ts) checks a document
 * against it, canonical.ts orders its keys by it, and json-schema.ts turns it into
 * docs/workflow.schema.json: the format, its checks and its schema cannot drift apart.
 */

export type FieldSpec =
  | { readonly kind: 'string'; readonly pattern?: RegExp; readonly patternText?: string; readonly maxLength?: number; readonly oneOf?: readonly string[] }
  | { readonly kind: 'integer'; readonly min: number; readonly max: number }
  | { readonly kind: 'boolean' }
  /** '500ms', '1s', '1m30s', '2h', '1d' or 0. */
  | { readonly kind: 'duration' }
  /** A resource amount: cores (0.5, "500m") or bytes (536870912, "512Mi"), bounded. */
  | { readonly kind: 'quantity'; readonly of: 'cpu' | 'memory' }
  /** Any JSON value; strings may hold `${{ }}` templates. */
  | { readonly kind: 'value' }
  | { readonly kind: 'object'; readonly shape: ObjectShape }
  | { readonly kind: 'list'; readonly of: FieldSpec; readonly maxItems: number }
  /** name -> value (inputs, results): keys keep the author's order. */
  | { readonly kind: 'map'; readonly of: FieldSpec; readonly keyPattern: RegExp; readonly keyPatternText: string; readonly maxItems: number }
  /** One of several object shapes chosen by the value of `type`. */
  | { readonly kind: 'variants'; readonly discriminator: string; readonly variants: Readonly<Record<string, ObjectShape>> };

export type Field = {
  readonly name: string;
  readonly spec: FieldSpec;
  readonly required?: boolean;
  readonly description: string;
  /** What an absent optional field means (documentation and schema only). */
  readonly default?: JsonValue;
};

export type ObjectShape = {
  readonly title: string;
  readonly fields: readonly Field[];
  /** Exactly one of these fields is present (a step's `action` or `wait`). */
  readonly exactlyOne?: readonly string[];
};

export const API_VERSION = 'trellis.dev/v1';
export const KIND = 'Workflow';

/** Workflow names: part of URLs and CLI arguments. */
export const WORKFLOW_NAME = /^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/;
/** Step ids: referenced as `steps.<id>` (a dash is part of an id in expressions). */
export const STEP_ID = /^[A-Za-z][A-Za-z0-9_-]{0,62}[A-Za-z0-9_]$|^[A-Za-z]$/;
/** Input, output and result names. */
export const IO_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** An HTTP trigger's path under /user-api/<project>/: one or more segments. */
export const HTTP_PATH = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+){0,7}$/;
/** `id` or `id@version`. */
export const ACTION_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}(@[0-9A-Za-z][0-9A-Za-z.+-]{0,63})?$/;

const text = (maxLength: number): FieldSpec => ({ kind: 'string', maxLength });
const valueMap = (maxItems: number): FieldSpec => ({ kind: 'map', of: { kind: 'value' }, keyPattern: IO_NAME, keyPatternText: 'a name of letters, digits and _', maxItems });

const ioDeclaration: ObjectShape = {
  title: 'An input of the trigger',
  fields: [
    { name: 'name', spec: { kind: 'string', pattern: IO_NAME, patternText: 'letters, digits and _, not starting with a digit' }, required: true, description: 'Referenced as ${{ trigger.<name> }}.' },
    { name: 'type', spec: { kind: 'string', oneOf: IO_TYPES }, required: true, description: 'One of the ten I/O types.' },
    { name: 'help', spec: text(2000), description: 'Shown to callers (and in the project\'s OpenAPI document).' },
    { name: 'optional', spec: { kind: 'boolean' }, description: 'May callers leave it out?', default: false },
    { name: 'values', spec: { kind: 'list', of: text(200), maxItems: 200 }, description: 'For `enum`: the allowed values.' },
    { name: 'default', spec: { kind: 'value' }, description: 'The value when a caller leaves it out.' },
  ],
};

const inputDeclarations: FieldSpec = { kind: 'list', of: { kind: 'object', shape: ioDeclaration }, maxItems: 100 };

const triggerVariants: Record<string, ObjectShape> = {
  http: {
    title: 'HTTP trigger: POST (or GET) /user-api/<project name>/<path>',
    fields: [
      { name: 'type', spec: { kind: 'string', oneOf: ['http'] }, required: true, description: 'http' },
      { name: 'path', spec: { kind: 'string', pattern: HTTP_PATH, patternText: 'segments of letters, digits, _ and - separated by /' }, required: true, description: 'The path under /user-api/<project name>/.' },
      { name: 'timeout', spec: { kind: 'duration' }, description: 'How long a caller waits for the results before a 202; 0: always 202.', default: '30s' },
      { name: 'auth', spec: { kind: 'string', oneOf: ['required', 'none'] }, description: 'required: a token or a project API key (operator or above); none: anyone.', default: 'required' },
      { name: 'inputs', spec: inputDeclarations, description: 'What callers send (JSON body, query or multipart form).' },
    ],
  },
  manual: {
    title: 'Manual trigger: runs started from the API, the CLI or the web UI',
    fields: [
      { name: 'type', spec: { kind: 'string', oneOf: ['manual'] }, required: true, description: 'manual' },
      { name: 'inputs', spec: inputDeclarations, description: 'What the person starting a run gives.' },
    ],
  },
  schedule: {
    title: 'Schedule trigger: cron with a time zone',
    fields: [
      { name: 'type', spec: { kind: 'string', oneOf: ['schedule'] }, required: true, description: 'schedule' },
      { name: 'cron', spec: text(200), required: true, description: '5 fields (minute hour day month weekday) or 6 (seconds first).' },
      { name: 'timezone', spec: text(100), description: 'An IANA time zone, e.g. Europe/Paris.', default: 'UTC' },
      { name: 'missed', spec: { kind: 'string', oneOf: ['skip', 'catch_up'] }, description: 'Ticks missed while the platform was down: skip them, or fire them late.', default: 'skip' },
      { name: 'catch_up_limit', spec: { kind: 'integer', min: 1, max: 1000 }, description: 'With catch_up: at most this many missed ticks fire.', default: 10 },
      { name: 'inputs', spec: valueMap(100), description: 'The values each run starts with (${{ trigger.<name> }}).' },
    ],
  },
  action: {
    title: 'Trigger action: a library action of kind Trigger that emits events',
    fields: [
      { name: 'type', spec: { kind: 'string', oneOf: ['action'] }, required: true, description: 'action' },
      { name: 'action', spec: { kind: 'string', pattern: ACTION_REFERENCE, patternText: 'id or id@version' }, required: true, description: 'A Trigger action: id (the newest built version when saved) or id@version.' },
      { name: 'inputs', spec: valueMap(100), description: 'The trigger action\'s inputs: static values, ${{ vars.X }} or ${{ secrets.X }}.' },
    ],
  },
};

const retry: ObjectShape = {
  title: 'Retry policy',
  fields: [
    { name: 'attempts', spec: { kind: 'integer', min: 1, max: 100 }, required: true, description: 'Attempts in all, the first included.' },
    { name: 'backoff', spec: { kind: 'duration' }, description: 'Delay before the second attempt; doubled each time, with full jitter.', default: '1s' },
    { name: 'max_delay', spec: { kind: 'duration' }, description: 'The delay never grows beyond this.', default: '5m' },
    {
      name: 'on', spec: { kind: 'list', of: text(100), maxItems: 100 },
      description: 'The ActionError codes that are retryable (timeouts and crashes always are; `error` names any other thrown exception).',
    },
  ],
};

const wait: ObjectShape = {
  title: 'Wait for a signal (an approval, a callback), or for a time (a delay)',
  fields: [
    { name: 'signal', spec: { kind: 'string', pattern: IO_NAME, patternText: 'a name of letters, digits and _' }, description: 'Sent as POST /runner/runs/{run}/signals/<signal> with a JSON object: the step\'s outputs. A wait has a signal or a for.' },
    { name: 'for', spec: { kind: 'duration' }, description: 'A delay: the step succeeds (with no outputs) once this long has passed since the run reached it; the run holds no process meanwhile. A wait has a signal or a for.' },
    { name: 'timeout', spec: { kind: 'duration' }, description: 'How long the run waits; none: without end.' },
    { name: 'on_timeout', spec: { kind: 'string', oneOf: ['fail', 'skip'] }, description: 'fail: the step fails with signal_timeout; skip: it is skipped (with the steps only it reaches).', default: 'fail' },
  ],
  exactlyOne: ['signal', 'for'],
};

const resources: ObjectShape = {
  title: 'Resources for this step\'s calls',
  fields: [
    { name: 'cpu', spec: { kind: 'quantity', of: 'cpu' }, description: 'Cores: 0.5, 2, "500m" (millicores) or "0.5"; more than 0, at most 64. Replaces the action\'s manifest value.' },
    {
      name: 'memory', spec: { kind: 'quantity', of: 'memory' },
      description: 'Bytes, or a number with Ki, Mi, Gi, Ti (powers of 1024) or k, M, G, T (powers of 1000): "512Mi", "1Gi", "256M"; at most 256Gi. Replaces the action\'s manifest value.',
    },
  ],
};

const step: ObjectShape = {
  title: 'A step: one action version called with inputs, or a wait for a signal',
  fields: [
    { name: 'id', spec: { kind: 'string', pattern: STEP_ID, patternText: 'letters, digits, _ and -, starting with a letter' }, required: true, description: 'Unique in the workflow; referenced as ${{ steps.<id>.<output> }}.' },
    { name: 'title', spec: text(200), description: 'A label for people.' },
    { name: 'action', spec: { kind: 'string', pattern: ACTION_REFERENCE, patternText: 'id or id@version' }, description: 'id (the newest built version when saved) or id@version. A step has an action or a wait.' },
    { name: 'wait', spec: { kind: 'object', shape: wait }, description: 'Instead of an action: the run pauses (holding no process) until the signal comes or the timeout passes.' },
    { name: 'needs', spec: { kind: 'list', of: { kind: 'string', pattern: STEP_ID, patternText: 'a step id' }, maxItems: 200 }, description: 'Steps that must finish first, besides those the inputs reference.' },
    { name: 'when', spec: { kind: 'value' }, description: 'A condition: false skips the step and the steps that need it.' },
    { name: 'foreach', spec: { kind: 'value' }, description: 'A list: the step runs once per item (${{ item }}); its outputs become lists in item order.' },
    { name: 'parallelism', spec: { kind: 'integer', min: 1, max: 1000 }, description: 'With foreach: at most this many items in flight.', default: 10 },
    { name: 'fail_fast', spec: { kind: 'boolean' }, description: 'With foreach: fail at the first failed item instead of letting the others finish.', default: false },
    { name: 'inputs', spec: valueMap(200), description: 'The action\'s inputs: static values or ${{ }} references.' },
    { name: 'retry', spec: { kind: 'object', shape: retry }, description: 'Attempts again on retryable failures (timeouts, crashes, retryable action errors).' },
    { name: 'timeout', spec: { kind: 'duration' }, description: 'Each attempt is cancelled after this long.' },
    { name: 'on_failure', spec: { kind: 'string', pattern: STEP_ID, patternText: 'a step id' }, description: 'A compensation step run when this one fails for good.' },
    {
      name: 'resources', spec: { kind: 'object', shape: resources },
      description: 'CPU and memory for this step\'s action on the docker and kubernetes sites, instead of its manifest\'s (each field on its own).',
    },
  ],
  exactlyOne: ['action', 'wait'],
};

export const WORKFLOW_SHAPE: ObjectShape = {
  title: 'Trellis workflow',
  fields: [
    { name: 'apiVersion', spec: { kind: 'string', oneOf: [API_VERSION] }, required: true, description: 'The format\'s version.' },
    { name: 'kind', spec: { kind: 'string', oneOf: [KIND] }, required: true, description: 'Workflow' },
    { name: 'name', spec: { kind: 'string', pattern: WORKFLOW_NAME, patternText: '3-64 of a-z, 0-9 and -, not starting or ending with -' }, required: true, description: 'Unique in the project.' },
    { name: 'title', spec: text(200), description: 'A label for people.' },
    { name: 'description', spec: text(10_000), description: 'What the workflow does.' },
    {
      name: 'site', spec: { kind: 'string', oneOf: SITE_NAMES },
      description: 'Where its actions run: local (processes on the runner\'s machine), docker (containers) or kubernetes (pods). None: the instance\'s default (TRELLIS_SITE_DEFAULT).',
    },
    { name: 'trigger', spec: { kind: 'variants', discriminator: 'type', variants: triggerVariants }, required: true, description: 'What starts a run.' },
    { name: 'steps', spec: { kind: 'list', of: { kind: 'object', shape: step }, maxItems: 500 }, required: true, description: 'The steps; their order follows their references (a DAG).' },
    { name: 'results', spec: valueMap(100), description: 'What a run gives back (the HTTP trigger\'s answer).' },
    { name: 'timeout', spec: { kind: 'duration' }, description: 'A run still going after this long fails with run_timeout (its calls are cancelled); none: no limit.' },
    {
      name: 'on_finish',
      spec: { kind: 'object', shape: { title: 'When a run ends', fields: [{ name: 'webhook', spec: text(2000), required: true, description: 'An http(s) URL that receives the run\'s status and results, signed.' }] } },
      description: 'Called when a run ends.',
    },
  ],
};
