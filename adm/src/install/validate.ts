import type { K8sObject } from './render.js';

import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';

type Model = { validate(): void };
type ModelClass = new (data: unknown) => Model;

/**
 * Checks an object against the Kubernetes API's OpenAPI schema of its kind (the JSON schemas
 * that kubernetes-models generates from the API's OpenAPI document, checked with ajv), like
 * kubeconform would. Returns the problems, empty when the object is valid.
 */
export async function schemaProblems(object: K8sObject): Promise<string[]> {
  const where = `${object.kind}/${object.metadata.name}`;
  let model: ModelClass;
  try {
    const specifier = `kubernetes-models/${object.apiVersion}/${object.kind}`;
    const module = (await import(/* @vite-ignore */ specifier)) as Record<string, ModelClass | undefined>;
    const found = module[object.kind];
    if (found === undefined) return [`${where}: no schema for ${object.apiVersion} ${object.kind}`];
    model = found;
  } catch {
    return [`${where}: no schema for ${object.apiVersion} ${object.kind}`];
  }
  try {
    new model(object).validate();
    return [];
  } catch (error) {
    return [`${where}: ${error instanceof Error ? error.message : String(error)}`];
  }
}

/**
 * The schema above allows fields it does not know (the API server drops them, kubeconform
 * -strict refuses them): the client's own models (attributeTypeMap) keep only known fields, so
 * what a round trip through them loses is unknown. `V1<Kind>` covers every kind rendered here.
 */
export function unknownFields(object: K8sObject): string[] {
  const version = object.apiVersion.split('/').pop() ?? 'v1';
  const type = `${version.charAt(0).toUpperCase()}${version.slice(1)}${object.kind}`;
  const round = ObjectSerializer.serialize(ObjectSerializer.deserialize(object, type, ''), type, '') as unknown;
  return lost(object, round, '').map((path) => `${object.kind}/${object.metadata.name}: unknown field ${path}`);
}

function lost(original: unknown, kept: unknown, path: string): string[] {
  if (Array.isArray(original)) return original.flatMap((item, i) => lost(item, (kept as unknown[] | undefined)?.[i], `${path}/${i}`));
  if (typeof original !== 'object' || original === null) return [];
  const keptMap = (kept ?? {}) as Record<string, unknown>;
  return Object.entries(original).flatMap(([key, value]) => (key in keptMap ? lost(value, keptMap[key], `${path}/${key}`) : [`${path}/${key}`]));
}

export async function allSchemaProblems(objects: readonly K8sObject[]): Promise<string[]> {
  return [...(await Promise.all(objects.map(schemaProblems))).flat(), ...objects.flatMap(unknownFields)];
}
