import { stringify } from 'yaml';
import type { K8sObject } from './render.js';

/** A Secret's values replaced by a mark that tells only their length. */
export function redacted(object: K8sObject): K8sObject {
  if (object.kind !== 'Secret') return object;
  const hide = (values: unknown): Record<string, string> | undefined =>
    values === undefined ? undefined : Object.fromEntries(Object.entries(values as Record<string, string>).map(([k, v]) => [k, `<redacted, ${v.length} characters>`]));
  const copy: K8sObject = { ...object };
  const stringData = hide(object['stringData']);
  const data = hide(object['data']);
  if (stringData !== undefined) copy['stringData'] = stringData;
  if (data !== undefined) copy['data'] = data;
  return copy;
}

/**
 * Every object as one YAML stream, secrets redacted: what `install` would apply. YAML 1.1 quoting,
 * as kubectl reads it (`off` unquoted would be a boolean there).
 */
export function dryRunYaml(objects: readonly K8sObject[]): string {
  return objects.map((o) => stringify(redacted(o), { lineWidth: 0, version: '1.1' })).join('---\n');
}
