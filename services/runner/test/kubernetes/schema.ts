// Checks an object against the Kubernetes API's OpenAPI schema of its kind, as adm's install does
// (adm/src/install/validate.ts): kubernetes-models' JSON schemas with ajv, plus the fields a round
// trip through the client's own models loses (the schema lets unknown fields through; the API
// server would drop them).
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';

type Model = { validate(): void };
type ModelClass = new (data: unknown) => Model;
export type ApiObject = { apiVersion: string; kind: string; metadata: { name: string } };

async function schemaProblems(object: ApiObject): Promise<string[]> {
  const where = `${object.kind}/${object.metadata.name}`;
  const module = (await import(/* @vite-ignore */ `kubernetes-models/${object.apiVersion}/${object.kind}`)) as Record<string, ModelClass | undefined>;
  const model = module[object.kind];
  if (model === undefined) return [`${where}: no schema for ${object.apiVersion} ${object.kind}`];
  try {
    new model(object).validate();
    return [];
  } catch (error) {
    return [`${where}: ${error instanceof Error ? error.message : String(error)}`];
  }
}

function lost(original: unknown, kept: unknown, path: string): string[] {
  if (Array.isArray(original)) return original.flatMap((item, i) => lost(item, (kept as unknown[] | undefined)?.[i], `${path}/${i}`));
  if (typeof original !== 'object' || original === null) return [];
  const keptMap = (kept ?? {}) as Record<string, unknown>;
  return Object.entries(original).flatMap(([key, value]) => (key in keptMap ? lost(value, keptMap[key], `${path}/${key}`) : [`${path}/${key}`]));
}

function unknownFields(object: ApiObject): string[] {
  const version = object.apiVersion.split('/').pop() ?? 'v1';
  const type = `${version.charAt(0).toUpperCase()}${version.slice(1)}${object.kind}`;
  const round = ObjectSerializer.serialize(ObjectSerializer.deserialize(object, type, ''), type, '') as unknown;
  return lost(object, round, '').map((path) => `${object.kind}/${object.metadata.name}: unknown field ${path}`);
}

/** Every problem of every object; empty when all are valid. */
export async function allSchemaProblems(objects: readonly ApiObject[]): Promise<string[]> {
  return [...(await Promise.all(objects.map(schemaProblems))).flat(), ...objects.flatMap(unknownFields)];
}
