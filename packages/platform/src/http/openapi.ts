import { OpenApiBuilder, type MediaTypeObject, type OpenAPIObject, type OperationObject, type ParameterObject } from 'openapi3-ts/oas31';
import { z } from 'zod';
import type { Route } from './route.js';

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', description: 'Stable machine-readable error code' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    request_id: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: {
          path: { type: 'string', description: 'Where in the request, dot-separated: `body.steps.2.inputs.n`' },
          message: { type: 'string' },
          code: { type: 'string', description: 'Stable machine-readable code of this finding' },
          line: { type: 'integer', minimum: 1, description: 'Line in a text (YAML) body, 1-based' },
          column: { type: 'integer', minimum: 1, description: 'Column in a text (YAML) body, 1-based' },
        },
      },
    },
  },
} as const;

type Json = Record<string, unknown>;

/**
 * Where the schemas' shared parts go: zod gives a recursive schema (a workflow's values) local
 * `$defs` referenced as `#/$defs/...`, which in an OpenAPI document would point at the document's
 * root. They move to `components.schemas`, the same group of definitions once however many
 * operations use it.
 */
type SharedSchemas = { schemas: Record<string, unknown>; groups: Map<string, Record<string, string>> };

function rewriteRefs(value: unknown, names: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, names));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => {
    if (key === '$ref' && typeof item === 'string' && item.startsWith('#/$defs/')) {
      const name = names[item.slice('#/$defs/'.length)];
      if (name === undefined) throw new Error(`the schema refers to ${item}, which it does not define`);
      return [key, `#/components/schemas/${name}`];
    }
    return [key, rewriteRefs(item, names)];
  }));
}

function hoistDefinitions(schema: Json, owner: string, shared: SharedSchemas): Json {
  const { $defs: definitions, ...rest } = schema as Json & { $defs?: Record<string, unknown> };
  if (definitions === undefined) return rest;
  const key = JSON.stringify(definitions);
  let names = shared.groups.get(key);
  if (names === undefined) {
    const given = Object.fromEntries(Object.keys(definitions).map((name) => [name, `${owner}${name.replace(/^_+/, '_')}`]));
    for (const [name, definition] of Object.entries(definitions)) shared.schemas[given[name] as string] = rewriteRefs(definition, given);
    shared.groups.set(key, given);
    names = given;
  }
  return rewriteRefs(rest, names) as Json;
}

function jsonSchemaOf(shared: SharedSchemas, owner: string) {
  return (schema: z.ZodType, io: 'input' | 'output'): Json => {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
    return hoistDefinitions(rest, owner, shared);
  };
}

/** `studioCreateWorkflow` -> `StudioCreateWorkflow`: the prefix of the schemas an operation shares. */
const ownerOf = (operationId: string): string => operationId.charAt(0).toUpperCase() + operationId.slice(1);

type JsonSchemaOf = ReturnType<typeof jsonSchemaOf>;

function toOpenApiPath(basePath: string, path: string): string {
  return `${basePath}${path}`.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parametersOf(route: Route, jsonSchema: JsonSchemaOf): ParameterObject[] {
  const list: ParameterObject[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (!schema) continue;
    const object = jsonSchema(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      list.push({ name, in: where, required: where === 'path' || (object.required ?? []).includes(name), schema: property as never });
    }
  }
  return list;
}

function requestBodyOf(route: Route, jsonSchema: JsonSchemaOf): Pick<OperationObject, 'requestBody'> {
  const content: Record<string, MediaTypeObject> = {};
  if (route.body) content['application/json'] = { schema: jsonSchema(route.body, 'input') };
  for (const type of route.text?.mediaTypes ?? []) content[type] = { schema: { type: 'string', description: route.text?.description } };
  if (route.upload) {
    const description = `${route.upload.description} At most ${route.upload.maxBytes} bytes.`;
    const types = route.upload.mediaTypes ?? ['*/*'];
    for (const type of types) {
      content[type] = type === 'multipart/form-data'
        ? { schema: { type: 'object', additionalProperties: true, description } }
        : { schema: { type: 'string', format: 'binary', description } };
    }
  }
  return Object.keys(content).length > 0 ? { requestBody: { required: true, content } } : {};
}

function operationOf(route: Route, shared: SharedSchemas): OperationObject {
  const jsonSchema = jsonSchemaOf(shared, ownerOf(route.operationId));
  const responses: OperationObject['responses'] = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    const type = spec.contentType ?? 'application/json';
    responses[status] = spec.schema
      ? { description: spec.description, content: { [type]: { schema: jsonSchema(spec.schema, 'output') } } }
      : { description: spec.description };
  }
  responses['default'] = {
    description: 'Problem',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.tags ? { tags: [...route.tags] } : {}),
    parameters: parametersOf(route, jsonSchema),
    ...requestBodyOf(route, jsonSchema),
    responses,
    ...(route.access.kind === 'public' ? { security: [] } : {}),
    'x-trellis-access': route.access,
  };
}

/** The service's OpenAPI 3.1 document, built from the same route list the server mounts. */
export function buildOpenApi(options: {
  title: string;
  version: string;
  basePath: string;
  routes: readonly Route[];
}): OpenAPIObject {
  const builder = OpenApiBuilder.create()
    .addOpenApiVersion('3.1.0')
    .addTitle(options.title)
    .addVersion(options.version)
    .addSchema('Problem', problemSchema as never)
    .addSecurityScheme('bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT or project API key' });
  const doc = builder.getSpec();
  doc.security = [{ bearer: [] }];
  const shared: SharedSchemas = { schemas: {}, groups: new Map() };
  for (const route of options.routes) {
    const path = toOpenApiPath(options.basePath, route.path);
    doc.paths ??= {};
    doc.paths[path] = { ...doc.paths[path], [route.method]: operationOf(route, shared) };
  }
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, ...shared.schemas } as never };
  return doc;
}
