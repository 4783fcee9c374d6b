import fc from 'fast-check';
import { GATEWAY_BODY_LIMIT, type BodyType, type Operation, type Parameter, type Spec } from './openapi.js';
import { anyJson, BROKEN_JSON, CONTENT_TYPES, HOSTILE_STRINGS, HOSTILE_YAML, hostileString, nestedText } from './hostile.js';
import { boundaryValues, validValue, type Resolve } from './schema-values.js';
import { poolOf, SPARE_ONLY, type PoolName } from './pools.js';

/**
 * A request as fast-check generates it: plain data, with the fixture's ids named symbolically
 * (`own`, `other`, ...) so one seed gives the same requests on every instance; `send.ts` puts
 * the real ids in.
 */
export const CREDENTIALS = ['viewer', 'operator', 'developer', 'owner', 'apiKey', 'admin'] as const;
export type Credential = (typeof CREDENTIALS)[number];

export type IdChoice =
  | { kind: 'own' | 'other' | 'spare'; pool: PoolName; pick: number }
  | { kind: 'literal'; value: string; raw?: boolean };

export type Payload =
  | { kind: 'json'; value: unknown }
  /** Sent as UTF-8, or byte for byte (`latin1`: a file's bytes). */
  | { kind: 'text'; text: string; latin1?: boolean }
  /** A JSON document of exactly `bytes` bytes, sent at once or in 64 KiB chunks. */
  | { kind: 'filled'; bytes: number; chunked: boolean }
  /** A Content-Length of `bytes`, with only a few bytes behind it. */
  | { kind: 'declared'; bytes: number };

export type QueryParam = [string, string] | [string, string, true];

export type FuzzRequest = {
  operation: string;
  kind: 'valid' | 'boundary' | 'malformed';
  variant: string;
  credential: Credential;
  path: Record<string, IdChoice>;
  /** Name, value, and whether both go into the URL as they are (a broken escape) rather than encoded. */
  query: QueryParam[];
  headers: Record<string, string>;
  body?: { contentType?: string; payload: Payload };
};

const RANK = { viewer: 0, operator: 1, developer: 2, owner: 3 } as const;

/** Whether a credential passes the route's access check (so the request reaches validation). */
export function suffices(operation: Operation, credential: Credential): boolean {
  const { access } = operation;
  switch (access.kind) {
    case 'public':
      return true;
    case 'authenticated':
      return credential !== 'apiKey';
    case 'admin':
      return credential === 'admin';
    case 'project': {
      const rank = credential === 'admin' || credential === 'apiKey' ? RANK.owner : RANK[credential];
      return rank >= RANK[access.role ?? 'viewer'];
    }
  }
}

function credentialFor(operation: Operation): fc.Arbitrary<Credential> {
  const enough = CREDENTIALS.filter((credential) => suffices(operation, credential));
  return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...(enough.length > 0 ? enough : CREDENTIALS)) }, { weight: 1, arbitrary: fc.constantFrom(...CREDENTIALS) });
}

/** Path parameters that are not ids: ASCII ones go raw into the URL (traversal, bad escapes), the rest encoded. */
const NOT_IDS: IdChoice[] = [
  ...['..', '.', '%2e%2e', '%ZZ', '%', '%00', '%c0%ae', '%ff%fe', '%2F', 'a%2Fb', '-1', '0', '1e3', '0x10', 'null', '*', '~', '%20'].map((value) => ({ kind: 'literal' as const, value, raw: true })),
  ...HOSTILE_STRINGS.filter((text) => text !== '').map((value) => ({ kind: 'literal' as const, value })),
  { kind: 'literal', value: 'x'.repeat(3000) }, { kind: 'literal', value: 'y'.repeat(9000) },
  { kind: 'literal', value: '00000000-0000-0000-0000-000000000000' }, { kind: 'literal', value: 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF' },
  { kind: 'literal', value: '123e4567-e89b-12d3-a456-42661417400' }, { kind: 'literal', value: '{123e4567-e89b-12d3-a456-426614174000}' },
];

function pathParam(operation: Operation, parameter: Parameter, malformed: boolean): fc.Arbitrary<IdChoice> {
  const pool = poolOf(operation.path, parameter.name);
  // Members are changed and removed in the fuzzed project itself: only the users are spares.
  const spareOnly = SPARE_ONLY.has(operation.id) && (pool !== 'project' || operation.id === 'authorizationDeleteProject');
  const real = fc.record({ kind: fc.constantFrom<'own' | 'other' | 'spare'>(...(spareOnly ? ['spare' as const] : ['own' as const, 'own' as const, 'other' as const, 'spare' as const])), pool: fc.constant(pool), pick: fc.nat(20) });
  const unknown = fc.uuid().map((value): IdChoice => ({ kind: 'literal', value }));
  const junk = fc.oneof(fc.constantFrom(...NOT_IDS), hostileString.filter((text) => text.length > 0).map((value): IdChoice => ({ kind: 'literal', value })));
  return malformed
    ? fc.oneof({ weight: 2, arbitrary: real }, { weight: 1, arbitrary: unknown }, { weight: 3, arbitrary: junk })
    : fc.oneof({ weight: 5, arbitrary: real }, { weight: 1, arbitrary: unknown });
}

function queryParams(operation: Operation, resolve: Resolve, malformed: boolean): fc.Arbitrary<QueryParam[]> {
  const params = operation.parameters.filter((parameter) => parameter.in === 'query');
  const each = params.map((parameter) => {
    const valid = validValue(parameter.schema, resolve).map((value) => String(value));
    const value = malformed
      ? fc.oneof(valid, hostileString, fc.constantFrom(...boundaryValues(parameter.schema, resolve).map(String)), fc.constantFrom('-1', '0', '1.5', 'abc', '9'.repeat(40), '[]', '{}', 'true'))
      : valid;
    return parameter.required ? value.map((text): Array<[string, string]> => [[parameter.name, text]]) : fc.option(value, { freq: 2 }).map((text): Array<[string, string]> => (text === null ? [] : [[parameter.name, text]]));
  });
  const extra = malformed
    ? fc.array(fc.oneof(
      fc.tuple(fc.oneof(fc.constantFrom(...params.map((parameter) => parameter.name), 'limit', 'cursor', '__proto__', 'a[b]', ''), hostileString), hostileString).map((pair): QueryParam => pair),
      fc.tuple(fc.constantFrom(...params.map((parameter) => parameter.name), 'x'), fc.constantFrom('%ZZ', '%', '%00', '%ff', '%c0%af', 'a+b', '[]')).map(([key, value]): QueryParam => [key, value, true]),
    ), { maxLength: 3 })
    : fc.constant([] as QueryParam[]);
  return fc.tuple(fc.tuple(...each), extra).map(([lists, more]): QueryParam[] => [...lists.flat(), ...more]);
}

type Body = FuzzRequest['body'];

/** A workflow document that studio saves and deploys (a manual trigger, one add-one step). */
export function workflowDocument(name: string): Record<string, unknown> {
  return { apiVersion: 'trellis.dev/v1', kind: 'Workflow', name, trigger: { type: 'manual', inputs: [{ name: 'n', type: 'integer' }] }, steps: [{ id: 's1', action: 'add-one', inputs: { n: '${{ trigger.n }}' } }], results: { n: '${{ steps.s1.n }}' } };
}

const workflowName = fc.stringMatching(/^[a-z][a-z0-9-]{1,20}[a-z0-9]$/);

function validBody(operation: Operation, body: BodyType, resolve: Resolve): fc.Arbitrary<Body> {
  const { mediaType, schema } = body;
  if (mediaType.includes('yaml')) {
    return workflowName.map((name) => ({ contentType: mediaType, payload: { kind: 'text', text: toYaml(workflowDocument(name)) } }));
  }
  if (mediaType === '*/*') return fc.tuple(fc.uint8Array({ maxLength: 256 }), fc.constantFrom('text/plain', 'application/octet-stream', 'image/png', 'application/json'))
    .map(([bytes, contentType]) => ({ contentType, payload: { kind: 'text', text: Buffer.from(bytes).toString('latin1'), latin1: true } }));
  if (mediaType === 'multipart/form-data') return fc.integer({ min: -100, max: 100 }).map((n) => multipart({ n: String(n) }));
  if (schema['$ref'] === '#/components/schemas/StudioCreateWorkflow_schema0' && operation.method !== 'PATCH') {
    return workflowName.map((name) => ({ contentType: mediaType, payload: { kind: 'json', value: workflowDocument(name) } }));
  }
  return validValue(schema, resolve).map((value) => ({ contentType: mediaType, payload: { kind: 'json', value } }));
}

const BOUNDARY = 'fuzzboundary';

function multipart(fields: Record<string, string>): NonNullable<Body> {
  const parts = Object.entries(fields).map(([name, value]) => `--${BOUNDARY}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  return { contentType: `multipart/form-data; boundary=${BOUNDARY}`, payload: { kind: 'text', text: `${parts.join('')}--${BOUNDARY}--\r\n` } };
}

/** A document as YAML: JSON is YAML, which is all a valid import needs. */
function toYaml(document: unknown): string {
  return JSON.stringify(document, null, 2);
}

type Path = Array<string | number>;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function pathsIn(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (out.length > 200) return out;
  if (Array.isArray(value)) value.forEach((item, index) => pathsIn(item, [...prefix, index], out));
  else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) pathsIn(item, [...prefix, key], out);
  return out;
}

/** The value with what is at `path` replaced (or removed when `replacement` is `REMOVE`). */
const REMOVE = Symbol('remove');
function withAt(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement === REMOVE ? undefined : replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((item, index) => (index === head ? withAt(item, rest, replacement) : item)).filter((item) => item !== REMOVE);
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const next = withAt(copy[String(head)], rest, replacement);
    if (next === undefined && rest.length === 0 && replacement === REMOVE) delete copy[String(head)];
    else copy[String(head)] = next;
    return copy;
  }
  return value;
}

function mutated(valid: fc.Arbitrary<Body>, replacement: fc.Arbitrary<unknown>, skipRoot = false): fc.Arbitrary<Body> {
  return fc.tuple(valid, fc.nat(), replacement).map(([body, pick, value]) => {
    if (!body || body.payload.kind !== 'json') return body;
    const paths = pathsIn(body.payload.value).slice(skipRoot ? 1 : 0);
    const path = paths.length > 0 ? paths[pick % paths.length] ?? [] : [];
    return { ...body, payload: { kind: 'json', value: withAt(body.payload.value, path, value) } };
  });
}

function jsonVariants(operation: Operation, body: BodyType, resolve: Resolve): Array<[string, fc.Arbitrary<Body>]> {
  const valid = validBody(operation, body, resolve);
  const contentType = body.mediaType;
  const limit = operation.maxBodyBytes;
  const isJson = contentType === 'application/json';
  const variants: Array<[string, fc.Arbitrary<Body>]> = [
    ['wrong-type', mutated(valid, anyJson)],
    ['missing-field', mutated(valid, fc.constant(REMOVE), true)],
    ['extra-field', fc.tuple(valid, fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'id', 'project_id', 'is_admin', 'role')), anyJson).map(([b, key, value]) =>
      b && b.payload.kind === 'json' && isRecord(b.payload.value) ? { ...b, payload: { kind: 'json' as const, value: { [key]: value ?? null, ...b.payload.value } } } : b)],
    ['hostile-string', mutated(valid, hostileString)],
    ['huge-string', mutated(valid, fc.integer({ min: 10_000, max: 900_000 }).map((n) => 'x'.repeat(n)))],
    ['huge-array', mutated(valid, fc.integer({ min: 1_000, max: 100_000 }).map((n) => new Array<number>(n).fill(0)))],
    ['deep-nesting', fc.tuple(fc.constantFrom(100, 1_000, 10_000, 100_000), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([depth, kind]) => ({ contentType: 'application/json', payload: { kind: 'text', text: nestedText(depth, kind) } }))],
    ['deep-field', mutated(valid, fc.constantFrom(50, 500, 5_000).map((depth) => JSON.parse(nestedText(Math.min(depth, 2_000), 'object')) as unknown))],
    ['broken-json', fc.constantFrom(...BROKEN_JSON).map((text) => ({ contentType: 'application/json', payload: { kind: 'text', text } }))],
    ['content-type', fc.tuple(valid, fc.constantFrom(...CONTENT_TYPES)).map(([b, type]) => (b ? { contentType: type, payload: b.payload } : { contentType: type, payload: { kind: 'text' as const, text: '{}' } }))],
    ['no-body', fc.constant(undefined)],
    ['over-gateway-limit', fc.constant({ contentType, payload: { kind: 'declared', bytes: GATEWAY_BODY_LIMIT + 1 } })],
  ];
  if (isJson) {
    variants.push(['at-limit', fc.boolean().map((chunked) => ({ contentType, payload: { kind: 'filled', bytes: limit, chunked } }))]);
    variants.push(['over-limit', fc.boolean().map((chunked) => ({ contentType, payload: { kind: 'filled', bytes: limit + 1, chunked } }))]);
  }
  return variants;
}

function textVariants(body: BodyType): Array<[string, fc.Arbitrary<Body>]> {
  const contentType = body.mediaType;
  return [
    ['hostile-yaml', fc.constantFrom(...HOSTILE_YAML).map((text) => ({ contentType, payload: { kind: 'text', text } }))],
    ['random-text', fc.oneof(hostileString, fc.string({ unit: 'binary', maxLength: 2_000 })).map((text) => ({ contentType, payload: { kind: 'text', text } }))],
    ['deep-nesting', fc.constantFrom(1_000, 10_000, 100_000).map((depth) => ({ contentType, payload: { kind: 'text', text: `name: x\ntrigger: ${nestedText(depth, 'array')}` } }))],
    ['over-limit', fc.constant({ contentType, payload: { kind: 'filled', bytes: 1024 * 1024 + 1, chunked: true } })],
    ['content-type', fc.constantFrom(...CONTENT_TYPES).map((type) => ({ contentType: type, payload: { kind: 'text', text: 'name: x' } }))],
    ['no-body', fc.constant(undefined)],
  ];
}

function uploadVariants(body: BodyType): Array<[string, fc.Arbitrary<Body>]> {
  if (body.mediaType === 'multipart/form-data') {
    return [
      ['broken-multipart', fc.constantFrom('--x\r\n', `--${BOUNDARY}\r\ncontent-disposition: form-data; name="n"\r\n\r\n1`, '', 'not multipart', `--${BOUNDARY}--`)
        .map((text) => ({ contentType: `multipart/form-data; boundary=${BOUNDARY}`, payload: { kind: 'text', text } }))],
      ['multipart-fields', fc.dictionary(hostileString.filter((key) => !/["\r\n]/.test(key)), hostileString, { maxKeys: 3 }).map((fields) => multipart(fields))],
      ['no-boundary', fc.constant({ contentType: 'multipart/form-data', payload: { kind: 'text', text: 'x' } })],
      ['over-gateway-limit', fc.constant({ contentType: `multipart/form-data; boundary=${BOUNDARY}`, payload: { kind: 'declared', bytes: GATEWAY_BODY_LIMIT + 1 } })],
    ];
  }
  return [
    ['over-gateway-limit', fc.constant({ contentType: 'application/octet-stream', payload: { kind: 'declared', bytes: GATEWAY_BODY_LIMIT + 1 } })],
    ['over-json-limit', fc.boolean().map((chunked) => ({ contentType: 'application/octet-stream', payload: { kind: 'filled', bytes: 1024 * 1024 + 1, chunked } }))],
    ['no-body', fc.constant(undefined)],
    ['content-type', fc.constantFrom(...CONTENT_TYPES).map((type) => ({ contentType: type, payload: { kind: 'text', text: 'file' } }))],
  ];
}

function bodyFor(operation: Operation, kind: FuzzRequest['kind'], resolve: Resolve): fc.Arbitrary<[string, Body]> {
  if (operation.bodies.length === 0) {
    if (kind !== 'malformed' || operation.method === 'GET') return fc.constant(['none', undefined]);
    return fc.oneof(anyJson.map((value): [string, Body] => ['unexpected-body', { contentType: 'application/json', payload: { kind: 'json', value } }]),
      fc.constantFrom(...BROKEN_JSON).map((text): [string, Body] => ['unexpected-body', { contentType: 'application/json', payload: { kind: 'text', text } }]));
  }
  const choices = operation.bodies.map((body) => {
    const valid = validBody(operation, body, resolve).map((b): [string, Body] => ['valid', b]);
    if (kind === 'valid') return valid;
    if (kind === 'boundary') {
      if (body.mediaType !== 'application/json' && body.mediaType !== '*/*') return valid;
      const values = [...new Set(collectBoundaries(body.schema, resolve))];
      return mutated(validBody(operation, body, resolve), fc.constantFrom(...(values.length > 0 ? values : [null])), true).map((b): [string, Body] => ['boundary', b]);
    }
    const variants = body.mediaType.includes('yaml') ? textVariants(body) : body.mediaType === '*/*' || body.mediaType === 'multipart/form-data' ? uploadVariants(body) : jsonVariants(operation, body, resolve);
    return fc.oneof(...variants.map(([name, arbitrary]) => arbitrary.map((b): [string, Body] => [name, b])));
  });
  return fc.oneof(...choices);
}

function collectBoundaries(schema: BodyType['schema'], resolve: Resolve): unknown[] {
  const properties = (schema['properties'] ?? {}) as Record<string, BodyType['schema']>;
  return [...boundaryValues(schema, resolve), ...Object.values(properties).flatMap((property) => boundaryValues(property, resolve))].filter((value) => typeof value !== 'object' || value === null || Array.isArray(value));
}

const HEADERS: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.constantFrom<Record<string, string>>(
    { 'idempotency-key': 'k'.repeat(2000) }, { 'idempotency-key': '' }, { 'content-encoding': 'gzip' }, { 'content-encoding': 'br, deflate' },
    { accept: 'application/xml' }, { accept: '' }, { 'x-forwarded-for': 'not-an-address' }, { 'x-request-id': '\u00ff'.repeat(100) },
    { 'accept-language': '*;q=x' }, { 'if-none-match': '*' }, { range: 'bytes=99999999-' }, { 'transfer-encoding': 'chunked' },
  ) },
);

function requestFor(operation: Operation, resolve: Resolve): fc.Arbitrary<FuzzRequest> {
  const kind = fc.constantFrom<FuzzRequest['kind']>('valid', 'boundary', 'malformed', 'malformed');
  return kind.chain((k) => {
    const malformed = k === 'malformed';
    const pathParams = operation.parameters.filter((parameter) => parameter.in === 'path');
    return fc.record({
      credential: credentialFor(operation),
      path: fc.tuple(...pathParams.map((parameter) => pathParam(operation, parameter, malformed))).map((choices) => Object.fromEntries(pathParams.map((parameter, i) => [parameter.name, choices[i] as IdChoice]))),
      query: queryParams(operation, resolve, malformed),
      headers: malformed ? HEADERS : fc.constant({}),
      body: bodyFor(operation, k, resolve),
    }).map(({ credential, path, query, headers, body: [variant, body] }) => ({
      operation: operation.id, kind: k, variant, credential, path, query, headers, ...(body ? { body } : {}),
    }));
  });
}

/** Requests over every operation, each as likely as the others. */
/**
 * `total` requests spread evenly over the operations, taken in turn (one of each, then a second
 * of each...), so that every route is asked once `total` reaches the number of operations: a
 * random pick over 117 routes left one out now and then. Each operation draws from a seed of its
 * own, so the same seed gives the same requests at the same indexes (TRELLIS_FUZZ_ONLY replays).
 */
export function sampleRequests(spec: Spec, seed: number, total: number): FuzzRequest[] {
  const perOperation = Math.ceil(total / Math.max(1, spec.operations.length));
  const drawn = spec.operations.map((operation, index) => fc.sample(requestFor(operation, spec.resolveRef), { seed: seed + index, numRuns: perOperation }));
  const requests: FuzzRequest[] = [];
  for (let round = 0; round < perOperation; round++) {
    for (const list of drawn) {
      const request = list[round];
      if (request && requests.length < total) requests.push(request);
    }
  }
  return requests;
}
