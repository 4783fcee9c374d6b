import { createHash } from 'node:crypto';
import { parse, parseAllDocuments } from 'yaml';
import { admitControllerNamespace, placeIn, withoutIdleBudgets } from './placement.js';
import type { InstallValues, Resources } from './values.js';

/** A Kubernetes object as rendered: plain JSON. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
};

/** infra/k8s as text: the kustomization, each file it lists, and the files its generator reads. */
export type InfraFiles = { readonly kustomization: string; readonly files: Readonly<Record<string, string>> };

export type RenderInput = {
  readonly infra: InfraFiles;
  readonly values: InstallValues;
  /** The Secret's values (secret-values.ts). */
  readonly secretData: Readonly<Record<string, string>>;
};

export const SECRET_NAME = 'trellis-secrets';
export const CONFIG_NAME = 'trellis-config';

/**
 * Apply order: what others refer to first (namespace, the runner's account and its rights,
 * secrets, config), the network policies before any pod they guard, the Ingress last.
 */
const KIND_ORDER = ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Secret', 'ConfigMap', 'NetworkPolicy', 'Service', 'Deployment', 'PodDisruptionBudget', 'Job', 'Ingress'];

type Kustomization = {
  namespace?: string;
  resources?: string[];
  labels?: { pairs: Record<string, string>; includeTemplates?: boolean }[];
  configMapGenerator?: { name: string; files: string[] }[];
  images?: { name: string; newTag?: string; newName?: string }[];
};

/**
 * What `kubectl apply -k infra/k8s` would apply (namespace, labels, image tags, the gateway's
 * generated ConfigMap with its content hash), plus the Secret and the `--values` changes, in
 * apply order. Pure: no file, no cluster.
 */
export function renderManifests(input: RenderInput): K8sObject[] {
  const k = parse(input.infra.kustomization) as Kustomization;
  const namespace = input.values.namespace ?? k.namespace ?? 'trellis';
  const fileText = (name: string): string => {
    const text = input.infra.files[name];
    if (text === undefined) throw new Error(`infra/k8s/${name}: listed by kustomization.yaml but not read`);
    return text;
  };
  const objects: K8sObject[] = [];
  for (const file of k.resources ?? []) {
    for (const doc of parseAllDocuments(fileText(file))) {
      const object = doc.toJSON() as K8sObject | null;
      if (object !== null) objects.push(object);
    }
  }
  const renames = new Map<string, string>();
  for (const generator of k.configMapGenerator ?? []) {
    const data: Record<string, string> = {};
    for (const entry of generator.files) {
      const [key, path] = entry.includes('=') ? (entry.split('=', 2) as [string, string]) : [entry.split('/').pop() ?? entry, entry];
      data[key] = fileText(path);
    }
    const name = `${generator.name}-${contentHash(data)}`;
    renames.set(generator.name, name);
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
  }
  objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: SECRET_NAME }, type: 'Opaque', stringData: { ...input.secretData } });

  const tags = new Map((k.images ?? []).map((i) => [i.name, i]));
  const labels = Object.assign({}, ...(k.labels ?? []).map((l) => l.pairs)) as Record<string, string>;
  for (const object of objects) {
    placeIn(object, k.namespace ?? 'trellis', namespace);
    object.metadata.labels = { ...object.metadata.labels, ...labels };
    const template = podTemplateOf(object);
    if (template !== undefined) {
      template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, ...labels } };
      for (const container of [...(template.spec.containers ?? []), ...(template.spec.initContainers ?? [])]) {
        container.image = imageOf(container.image, tags, input.values);
        for (const variable of container.env ?? []) {
          // Names of another namespace's services (the JWKS URL) follow the namespace.
          if (typeof variable.value === 'string') variable.value = variable.value.replaceAll(`.${k.namespace ?? 'trellis'}.svc`, `.${namespace}.svc`);
        }
      }
      for (const volume of template.spec.volumes ?? []) {
        const renamed = volume.configMap === undefined ? undefined : renames.get(volume.configMap.name);
        if (renamed !== undefined && volume.configMap !== undefined) volume.configMap.name = renamed;
      }
    }
    applyValues(object, input.values);
  }
  return withoutIdleBudgets(objects).sort((a, b) => rank(a) - rank(b));
}

function rank(object: K8sObject): number {
  const i = KIND_ORDER.indexOf(object.kind);
  return i === -1 ? KIND_ORDER.length : i;
}

type Container = { name: string; image: string; env?: { name: string; value?: string }[]; resources?: Resources };
type PodTemplate = {
  metadata?: { labels?: Record<string, string> };
  spec: { containers?: Container[]; initContainers?: Container[]; volumes?: { configMap?: { name: string } }[] };
};

function podTemplateOf(object: K8sObject): PodTemplate | undefined {
  if (object.kind !== 'Deployment' && object.kind !== 'Job') return undefined;
  return (object['spec'] as { template?: PodTemplate } | undefined)?.template;
}

function imageOf(image: string, tags: Map<string, { newTag?: string; newName?: string }>, values: InstallValues): string {
  const at = image.lastIndexOf(':');
  const name = at > image.lastIndexOf('/') ? image.slice(0, at) : image;
  const release = tags.get(name);
  const repository = values.image?.registry === undefined ? (release?.newName ?? name) : `${values.image.registry.replace(/\/+$/, '')}/${name}`;
  const tag = values.image?.tag ?? release?.newTag ?? (at > image.lastIndexOf('/') ? image.slice(at + 1) : 'latest');
  return `${repository}:${tag}`;
}

function applyValues(object: K8sObject, values: InstallValues): void {
  const name = object.metadata.name;
  if (object.kind === 'Deployment') {
    const spec = object['spec'] as { replicas?: number; template: PodTemplate };
    const replicas = values.replicas?.[name];
    if (replicas !== undefined) spec.replicas = replicas;
    const resources = values.resources?.[name];
    if (resources !== undefined) for (const container of spec.template.spec.containers ?? []) container.resources = { ...resources };
  }
  if (object.kind === 'ConfigMap' && name === CONFIG_NAME) {
    const data = object['data'] as Record<string, string>;
    const storage = values.storage ?? {};
    if (storage.endpoint !== undefined) data['TRELLIS_S3_ENDPOINT'] = storage.endpoint;
    if (storage.bucket !== undefined) data['TRELLIS_S3_BUCKET'] = storage.bucket;
    if (storage.region !== undefined) data['TRELLIS_S3_REGION'] = storage.region;
    Object.assign(data, values.config ?? {});
  }
  if (object.kind === 'Ingress' && values.ingress !== undefined) {
    const spec = object['spec'] as { ingressClassName?: string; rules: { host?: string }[]; tls?: { hosts?: string[]; secretName: string }[] };
    const { host, className, tlsSecret } = values.ingress;
    if (className !== undefined) spec.ingressClassName = className;
    if (host !== undefined) for (const rule of spec.rules) rule.host = host;
    if (tlsSecret !== undefined) spec.tls = [{ ...(host !== undefined ? { hosts: [host] } : {}), secretName: tlsSecret }];
  }
  if (values.ingress?.controllerNamespace !== undefined) admitControllerNamespace(object, values.ingress.controllerNamespace);
}

/** kustomize's way: a suffix from the content, so a changed template rolls the pods. */
function contentHash(data: Record<string, string>): string {
  const digest = createHash('sha256').update(JSON.stringify(Object.entries(data).sort())).digest('hex');
  // Letters and digits kustomize would use too (no vowels, so no words by chance).
  return [...digest.slice(0, 10)].map((c) => 'bcdfghkmt2456789'[parseInt(c, 16)]).join('');
}
