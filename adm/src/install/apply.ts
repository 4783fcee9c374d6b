import { ApiException, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, VersionApi, type KubernetesObject } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SECRET_NAME, type K8sObject } from './render.js';

export const FIELD_MANAGER = 'trellis-adm';

/** Where the kubeconfig says the cluster is, or why there is none. */
export type Cluster = { ok: true; kc: KubeConfig; server: string } | { ok: false; reason: string };

/** KUBECONFIG, ~/.kube/config or the pod's service account, as kubectl finds them. */
export function loadCluster(env: NodeJS.ProcessEnv = process.env): Cluster {
  const home = env['HOME'] ?? homedir();
  // KUBECONFIG may list several files: the first one that exists, as the current context is read from it.
  const file = [...(env['KUBECONFIG'] ?? '').split(':').filter((f) => f !== '' && existsSync(f)), join(home, '.kube', 'config')].find((f) => existsSync(f));
  const inCluster = (env['KUBERNETES_SERVICE_HOST'] ?? '') !== '';
  // Without any of them the client falls back to http://localhost:8080: not a cluster anyone set up.
  if (file === undefined && !inCluster) return { ok: false, reason: 'no kubeconfig (KUBECONFIG, ~/.kube/config) and not inside a cluster' };
  const kc = new KubeConfig();
  try {
    if (file !== undefined) kc.loadFromFile(file);
    else kc.loadFromCluster();
  } catch (error) {
    return { ok: false, reason: `the kubeconfig cannot be read: ${messageOf(error)}` };
  }
  const cluster = kc.getCurrentCluster();
  if (cluster === null) return { ok: false, reason: 'the kubeconfig names no current cluster' };
  return { ok: true, kc, server: cluster.server };
}

/** Does the API server answer (GET /version)? Refused credentials count as answering. */
export async function probeCluster(kc: KubeConfig, timeoutMs = 5000): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  const api = kc.makeApiClient(VersionApi);
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs).unref());
  try {
    const info = await Promise.race([api.getCode(), timeout]);
    return { ok: true, version: info.gitVersion };
  } catch (error) {
    if (error instanceof ApiException && (error.code === 401 || error.code === 403)) return { ok: true, version: 'unknown (GET /version refused)' };
    return { ok: false, reason: messageOf(error) };
  }
}

export type ApplyFailure = { type: 'Refused'; object: string; code: number; message: string } | { type: 'NotAvailable'; deployment: string; detail: string; events: string[] };
export type ApplyResult = { ok: true; applied: string[] } | { ok: false; error: ApplyFailure };

export type ApplyOptions = {
  readonly progress: (line: string) => void;
  /** How long the Deployments may take to become available. */
  readonly timeoutMs: number;
  readonly pollMs?: number;
  /** Keys of the Secret made by this run: the values a Secret in the cluster has for them are kept. */
  readonly generatedSecretKeys: readonly string[];
};

const label = (o: K8sObject): string => `${o.kind}/${o.metadata.name}`;

/**
 * Server-side apply of every object, in the given order (field manager trellis-adm), keeping
 * the generated values of a Secret trellis-secrets that exists already (a second install must
 * not change the passwords the databases have; values the operator gave do replace them), then
 * waits for the Deployments to be available.
 */
export async function applyManifests(kc: KubeConfig, objects: readonly K8sObject[], options: ApplyOptions): Promise<ApplyResult> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const applied: string[] = [];
  for (const original of objects) {
    let object = original;
    try {
      if (object.kind === 'Secret' && object.metadata.name === SECRET_NAME) object = await keepExistingSecret(api, object, options.generatedSecretKeys);
      await api.patch(object as KubernetesObject, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    } catch (error) {
      if (error instanceof ApiException) return { ok: false, error: { type: 'Refused', object: label(object), code: error.code, message: statusMessage(error) } };
      throw new Error(`${label(object)}: ${messageOf(error)}`, { cause: error });
    }
    applied.push(label(object));
    options.progress(`applied ${label(object)}`);
  }
  for (const deployment of objects.filter((o) => o.kind === 'Deployment')) {
    const waited = await waitAvailable(kc, api, deployment, options);
    if (!waited.ok) return waited;
    options.progress(`available ${label(deployment)}`);
  }
  return { ok: true, applied };
}

async function keepExistingSecret(api: KubernetesObjectApi, object: K8sObject, generated: readonly string[]): Promise<K8sObject> {
  let existing: { data?: Record<string, string> };
  try {
    existing = (await api.read({ apiVersion: 'v1', kind: 'Secret', metadata: { name: object.metadata.name, namespace: object.metadata.namespace ?? '' } })) as { data?: Record<string, string> };
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return object;
    throw error;
  }
  const kept = Object.fromEntries(
    Object.entries(existing.data ?? {})
      .filter(([k]) => generated.includes(k))
      .map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
  return { ...object, stringData: { ...(object['stringData'] as Record<string, string>), ...kept } };
}

type DeploymentState = { metadata?: { generation?: number }; spec?: { replicas?: number }; status?: { observedGeneration?: number; availableReplicas?: number; conditions?: { type: string; status: string; reason?: string; message?: string }[] } };

async function waitAvailable(kc: KubeConfig, api: KubernetesObjectApi, deployment: K8sObject, options: ApplyOptions): Promise<ApplyResult> {
  const deadline = Date.now() + options.timeoutMs;
  let detail = 'not read yet';
  for (;;) {
    const state: DeploymentState = await api.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: deployment.metadata.name, namespace: deployment.metadata.namespace ?? '' } });
    const wanted = state.spec?.replicas ?? 1;
    const available = state.status?.availableReplicas ?? 0;
    const current = (state.status?.observedGeneration ?? 0) >= (state.metadata?.generation ?? 0);
    if (current && available >= wanted) return { ok: true, applied: [] };
    const failing = state.status?.conditions?.find((c) => c.status === 'False');
    detail = `${available}/${wanted} available${failing === undefined ? '' : `, ${failing.type}: ${failing.reason ?? ''} ${failing.message ?? ''}`.trimEnd()}`;
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2000));
  }
  return { ok: false, error: { type: 'NotAvailable', deployment: deployment.metadata.name, detail, events: await podEvents(kc, deployment) } };
}

/** The namespace's events about the Deployment's pods (and replica sets), oldest first. */
async function podEvents(kc: KubeConfig, deployment: K8sObject): Promise<string[]> {
  try {
    const list = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: deployment.metadata.namespace ?? '' });
    return list.items
      .filter((e) => e.involvedObject.name?.startsWith(`${deployment.metadata.name}-`) === true)
      .map((e) => `${e.involvedObject.kind ?? ''}/${e.involvedObject.name ?? ''}: ${e.type ?? ''} ${e.reason ?? ''}: ${e.message ?? ''}`);
  } catch (error) {
    return [`(events not readable: ${messageOf(error)})`];
  }
}

function statusMessage(error: ApiException<unknown>): string {
  const body = error.body;
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : `HTTP ${error.code}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
