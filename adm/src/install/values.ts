import { parse } from 'yaml';

/** What `--values FILE` may change; everything else comes from infra/k8s as it is. */
export type InstallValues = {
  readonly namespace?: string;
  /** `registry` prefixes the image names (`<registry>/trellis/app`); `tag` replaces the release's. */
  readonly image?: { readonly registry?: string; readonly tag?: string };
  /** Deployment name -> replicas. */
  readonly replicas?: Readonly<Record<string, number>>;
  /** Deployment name -> container resources (requests/limits), replacing the manifest's. */
  readonly resources?: Readonly<Record<string, Resources>>;
  /** `controllerNamespace`: the Ingress controller's namespace, the only one the gateway's NetworkPolicy lets in. */
  readonly ingress?: { readonly host?: string; readonly className?: string; readonly tlsSecret?: string; readonly controllerNamespace?: string };
  /** The object store (S3 API) the services use. */
  readonly storage?: { readonly endpoint?: string; readonly bucket?: string; readonly region?: string };
  /** Extra or changed non-secret settings of the ConfigMap trellis-config (TRELLIS_PG_HOST, ...). */
  readonly config?: Readonly<Record<string, string>>;
  /** Values of the Secret trellis-secrets given by the operator (the external credentials). */
  readonly secrets?: Readonly<Record<string, string>>;
};

export type Resources = {
  readonly requests?: Readonly<Record<string, string>>;
  readonly limits?: Readonly<Record<string, string>>;
};

export type ValuesResult = { ok: true; values: InstallValues } | { ok: false; error: string };

const KEYS = ['namespace', 'image', 'replicas', 'resources', 'ingress', 'storage', 'config', 'secrets'];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and checks a values file; a mistake is named by its path (`replicas.runner: ...`). */
export function parseValues(text: string): ValuesResult {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    return { ok: false, error: `not YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
  if (doc === null || doc === undefined) return { ok: true, values: {} };
  if (!isMap(doc)) return { ok: false, error: 'must be a mapping' };
  for (const key of Object.keys(doc)) if (!KEYS.includes(key)) return { ok: false, error: `${key}: unknown (known: ${KEYS.join(', ')})` };
  const problem =
    checkString(doc, 'namespace', (v) => (DNS_LABEL.test(v) ? undefined : 'not a valid namespace name (a DNS label)')) ??
    checkStrings(doc, 'image', ['registry', 'tag']) ??
    checkMapOf(doc, 'replicas', (v) => (Number.isInteger(v) && (v as number) >= 0 ? undefined : 'must be a whole number >= 0')) ??
    checkMapOf(doc, 'resources', checkResources) ??
    checkStrings(doc, 'ingress', ['host', 'className', 'tlsSecret', 'controllerNamespace']) ??
    checkStrings(doc, 'storage', ['endpoint', 'bucket', 'region']) ??
    checkMapOf(doc, 'config', scalarString) ??
    checkMapOf(doc, 'secrets', scalarString);
  if (problem !== undefined) return { ok: false, error: problem };
  return { ok: true, values: normalize(doc) };
}

function scalarString(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? undefined : 'must be a string';
}

function checkString(doc: Json, key: string, check: (v: string) => string | undefined): string | undefined {
  if (!(key in doc)) return undefined;
  const v = doc[key];
  if (typeof v !== 'string') return `${key}: must be a string`;
  const p = check(v);
  return p === undefined ? undefined : `${key}: ${p}`;
}

function checkStrings(doc: Json, key: string, fields: readonly string[]): string | undefined {
  if (!(key in doc)) return undefined;
  const v = doc[key];
  if (!isMap(v)) return `${key}: must be a mapping`;
  for (const [field, value] of Object.entries(v)) {
    if (!fields.includes(field)) return `${key}.${field}: unknown (known: ${fields.join(', ')})`;
    if (typeof value !== 'string' || value === '') return `${key}.${field}: must be a non-empty string`;
  }
  return undefined;
}

function checkMapOf(doc: Json, key: string, check: (v: unknown) => string | undefined): string | undefined {
  if (!(key in doc)) return undefined;
  const v = doc[key];
  if (!isMap(v)) return `${key}: must be a mapping`;
  for (const [name, value] of Object.entries(v)) {
    const p = check(value);
    if (p !== undefined) return `${key}.${name}: ${p}`;
  }
  return undefined;
}

function checkResources(v: unknown): string | undefined {
  if (!isMap(v)) return 'must be a mapping with requests and/or limits';
  for (const [part, quantities] of Object.entries(v)) {
    if (part !== 'requests' && part !== 'limits') return `${part}: unknown (known: requests, limits)`;
    if (!isMap(quantities)) return `${part}: must be a mapping (cpu, memory)`;
    for (const [name, q] of Object.entries(quantities)) {
      if (typeof q !== 'string' && typeof q !== 'number') return `${part}.${name}: must be a quantity (250m, 1Gi)`;
    }
  }
  return undefined;
}

function stringMap(v: unknown): Record<string, string> | undefined {
  return isMap(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : undefined;
}

function normalize(doc: Json): InstallValues {
  const resources = isMap(doc['resources'])
    ? Object.fromEntries(
        Object.entries(doc['resources']).map(([name, r]) => {
          const m = r as Json;
          const out: { requests?: Record<string, string>; limits?: Record<string, string> } = {};
          const requests = stringMap(m['requests']);
          const limits = stringMap(m['limits']);
          if (requests !== undefined) out.requests = requests;
          if (limits !== undefined) out.limits = limits;
          return [name, out];
        }),
      )
    : undefined;
  return {
    ...(typeof doc['namespace'] === 'string' ? { namespace: doc['namespace'] } : {}),
    ...(isMap(doc['image']) ? { image: doc['image'] as InstallValues['image'] } : {}),
    ...(isMap(doc['replicas']) ? { replicas: doc['replicas'] as Record<string, number> } : {}),
    ...(resources !== undefined ? { resources } : {}),
    ...(isMap(doc['ingress']) ? { ingress: doc['ingress'] as InstallValues['ingress'] } : {}),
    ...(isMap(doc['storage']) ? { storage: doc['storage'] as InstallValues['storage'] } : {}),
    ...(isMap(doc['config']) ? { config: stringMap(doc['config']) ?? {} } : {}),
    ...(isMap(doc['secrets']) ? { secrets: stringMap(doc['secrets']) ?? {} } : {}),
  };
}
