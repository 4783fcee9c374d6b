import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** A JSON Schema as the services' OpenAPI documents write them (zod's output): plain data. */
export type Schema = { readonly [keyword: string]: unknown };

export type Parameter = { name: string; in: 'path' | 'query' | 'header'; required: boolean; schema: Schema };

export type BodyType = { mediaType: string; schema: Schema };

export type Access = { kind: 'public' | 'authenticated' | 'admin' | 'project'; role?: 'viewer' | 'operator' | 'developer' | 'owner'; admins?: boolean };

export type Operation = {
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** As the gateway serves it: `/studio/workflows/{id}`. */
  path: string;
  /** Service and tag: what the figures count requests by. */
  group: string;
  access: Access;
  parameters: Parameter[];
  bodies: BodyType[];
  /** The most the route takes in one body, in bytes (its own limit, or the services' JSON limit). */
  maxBodyBytes: number;
};

export const ROOT = resolve(import.meta.dirname, '../../..');

/** The services' JSON and text body limit (TRELLIS_BODY_LIMIT's default, 1mb as koa counts it). */
export const JSON_BODY_LIMIT = 1024 * 1024;
/** nginx's client_max_body_size in front of every service. */
export const GATEWAY_BODY_LIMIT = 1024 * 1024 * 1024;

type Document = {
  paths: Record<string, Record<string, { operationId?: string; tags?: string[]; parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> }; 'x-trellis-access'?: Access }>>;
  components: { schemas: Record<string, Schema> };
};

export type Spec = { operations: Operation[]; resolveRef: (ref: string) => Schema };

const SERVICE_OF_PREFIX: Record<string, string> = { authorization: 'authorization', studio: 'studio', repository: 'repository', builder: 'action-builder', runner: 'runner' };

/** Every operation of docs/openapi.json (the five services merged, as the gateway serves them). */
export function readSpec(file = resolve(ROOT, 'docs/openapi.json')): Spec {
  const document = JSON.parse(readFileSync(file, 'utf8')) as Document;
  const resolveRef = (ref: string): Schema => {
    const name = ref.replace('#/components/schemas/', '');
    const schema = document.components.schemas[name];
    if (!schema) throw new Error(`docs/openapi.json: no schema ${ref}`);
    return schema;
  };
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!operation.operationId) continue;
      const bodies = Object.entries(operation.requestBody?.content ?? {}).map(([mediaType, { schema }]) => ({ mediaType, schema }));
      const limit = /At most (\d+) bytes/.exec(JSON.stringify(operation.requestBody ?? {}));
      const prefix = path.split('/')[1] ?? '';
      operations.push({
        id: operation.operationId,
        method: method.toUpperCase() as Operation['method'],
        path,
        group: `${SERVICE_OF_PREFIX[prefix] ?? prefix} ${operation.tags?.[0] ?? 'other'}`,
        access: operation['x-trellis-access'] ?? { kind: 'public' },
        parameters: operation.parameters ?? [],
        bodies,
        maxBodyBytes: limit ? Number(limit[1]) : JSON_BODY_LIMIT,
      });
    }
  }
  return { operations, resolveRef };
}

/**
 * The HTTP trigger of the fixture's deployed workflow: not in the services' documents (its
 * path and inputs are the workflow's), fuzzed beside them.
 */
export function userApiOperation(url: string): Operation {
  return {
    id: 'userApiTrigger', method: 'POST', path: url, group: 'runner user-api', access: { kind: 'public' }, parameters: [],
    bodies: [{ mediaType: 'application/json', schema: { type: 'object', properties: { n: { type: 'integer', minimum: -1000, maximum: 1000 } }, required: ['n'], additionalProperties: false } }],
    maxBodyBytes: JSON_BODY_LIMIT,
  };
}
