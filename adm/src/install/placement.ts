import type { K8sObject } from './render.js';

/** Kinds that live outside any namespace: the API refuses a namespace path for them. */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

export const isClusterScoped = (object: K8sObject): boolean => CLUSTER_SCOPED.has(object.kind);

/** The ConfigMap entry that tells the kubernetes site where the runner's pods are (its NetworkPolicies let them in). */
const RUNNER_NAMESPACE_KEY = 'TRELLIS_K8S_RUNNER_NAMESPACE';

type RoleBinding = { roleRef?: { name: string }; subjects?: { kind: string; namespace?: string }[] };

/**
 * Puts an object of infra/k8s (written for namespace `from`) into namespace `to`, as kustomize's
 * namespace transformer does, and further where an installed instance needs it: cluster-scoped
 * objects get no namespace, and the ClusterRole and its binding are named after the namespace
 * (`<to>-runner`), so that two instances in two namespaces do not take each other's; the binding's
 * ServiceAccount and the site's idea of the runner's namespace follow it.
 */
export function placeIn(object: K8sObject, from: string, to: string): void {
  if (object.kind === 'Namespace') object.metadata.name = to;
  else if (!isClusterScoped(object)) object.metadata.namespace = to;
  const rename = (name: string): string => (name.startsWith(`${from}-`) ? `${to}-${name.slice(from.length + 1)}` : name);
  if (object.kind === 'ClusterRole' || object.kind === 'ClusterRoleBinding') object.metadata.name = rename(object.metadata.name);
  if (object.kind === 'ClusterRoleBinding') {
    const binding = object as K8sObject & RoleBinding;
    if (binding.roleRef !== undefined) binding.roleRef.name = rename(binding.roleRef.name);
    for (const subject of binding.subjects ?? []) if (subject.kind === 'ServiceAccount' && subject.namespace === from) subject.namespace = to;
  }
  if (object.kind === 'ConfigMap') {
    const data = object['data'] as Record<string, string> | undefined;
    if (data?.[RUNNER_NAMESPACE_KEY] === from) data[RUNNER_NAMESPACE_KEY] = to;
  }
}

type Selected = { spec?: { selector?: { matchLabels?: Record<string, string> } } };
type Replicated = { spec?: { replicas?: number; template?: { metadata?: { labels?: Record<string, string> } } } };

/**
 * Without the disruption budgets of Deployments left with fewer than 2 replicas (`replicas:` in
 * --values): `minAvailable: 1` over a single pod would stop every node drain for good.
 */
export function withoutIdleBudgets(objects: readonly K8sObject[]): K8sObject[] {
  const single = objects.filter((o) => o.kind === 'Deployment' && ((o as K8sObject & Replicated).spec?.replicas ?? 1) < 2);
  const selects = (budget: K8sObject, deployment: K8sObject): boolean => {
    const wanted = Object.entries((budget as K8sObject & Selected).spec?.selector?.matchLabels ?? {});
    const labels = (deployment as K8sObject & Replicated).spec?.template?.metadata?.labels ?? {};
    return wanted.length > 0 && wanted.every(([k, v]) => labels[k] === v);
  };
  return objects.filter((o) => o.kind !== 'PodDisruptionBudget' || !single.some((d) => selects(o, d)));
}

type NetworkPolicy = { spec?: { ingress?: { from?: { namespaceSelector?: { matchExpressions?: { key: string; values?: string[] }[] } }[] }[] } };

/** The Ingress controller's namespace (`ingress.controllerNamespace` in --values) is the only one the gateway's policy lets in. */
export function admitControllerNamespace(object: K8sObject, controllerNamespace: string): void {
  if (object.kind !== 'NetworkPolicy') return;
  for (const rule of (object as K8sObject & NetworkPolicy).spec?.ingress ?? []) {
    for (const peer of rule.from ?? []) {
      for (const expression of peer.namespaceSelector?.matchExpressions ?? []) {
        if (expression.key === 'kubernetes.io/metadata.name') expression.values = [controllerNamespace];
      }
    }
  }
}
