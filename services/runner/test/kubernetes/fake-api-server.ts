// A Kubernetes API server for the kubernetes site's tests (no cluster runs on these machines): a
// node:http server speaking the API's contract for the calls the site makes - server-side apply
// (application/apply-patch+yaml, fieldManager required), merge patches, the deployments' scale
// subresource, reads, deletes, 404 NotFound and 409 AlreadyExists as Status bodies, lists with a
// resourceVersion and label selectors, and watches (`?watch=true`, one JSON event per line,
// from a resourceVersion, with bookmarks). A small "controller and kubelet" inside keeps each
// Deployment's pods at its replicas and plays them by image: ready after a moment, an image that
// cannot be pulled, a pod never ready, a container crash-looping.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

type Json = Record<string, unknown>;
type Meta = { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string; uid?: string; generation?: number; creationTimestamp?: string; deletionTimestamp?: string };
export type StoredObject = Json & { apiVersion: string; kind: string; metadata: Meta };
export type Recorded = { readonly method: string; readonly path: string; readonly query: URLSearchParams; readonly contentType: string; readonly body: unknown };

/** How the pods of an image behave. */
export type PodBehaviour = 'ready' | 'pull-fails' | 'never-ready' | 'crash-loop';

export type FakeOptions = {
  /** How long a new pod takes to be Running and Ready. */
  readonly readyAfterMs?: number;
  /** By image reference; `ready` for the rest. */
  readonly behaviour?: (image: string) => PodBehaviour;
  /** Requests answered 403 Forbidden, as RBAC would (`PATCH networkpolicies`). */
  readonly forbidden?: (method: string, plural: string, namespace: string | undefined) => boolean;
};

export type FakeApi = {
  readonly url: string;
  readonly requests: Recorded[];
  /** What the site applied, by path (`/apis/apps/v1/namespaces/x/deployments/y`). */
  object: (path: string) => StoredObject | undefined;
  objects: (kind?: string) => StoredObject[];
  pods: (namespace: string) => StoredObject[];
  /** The container of a pod dies and is restarted (its restartCount goes up). */
  restartContainer: (namespace: string, pod: string) => void;
  /** Ends every open watch, as the API server does after a while. */
  endWatches: () => void;
  kubeConfig: () => KubeConfig;
  close: () => Promise<void>;
};

const KINDS: Record<string, { kind: string; apiVersion: string }> = {
  namespaces: { kind: 'Namespace', apiVersion: 'v1' },
  services: { kind: 'Service', apiVersion: 'v1' },
  pods: { kind: 'Pod', apiVersion: 'v1' },
  events: { kind: 'Event', apiVersion: 'v1' },
  deployments: { kind: 'Deployment', apiVersion: 'apps/v1' },
  networkpolicies: { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1' },
};

const ROUTE = /^\/(?:api\/v1|apis\/(?:apps|networking\.k8s\.io)\/v1)(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+))?(?:\/(scale))?$/;

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
function status(res: ServerResponse, code: number, reason: string, message: string): void {
  send(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}
const clone = <T>(value: T): T => structuredClone(value);
const matches = (labels: Record<string, string> | undefined, selector: string | null): boolean =>
  (selector ?? '').split(',').filter((term) => term !== '').every((term) => {
    const [key, value] = term.split('=');
    return key !== undefined && labels?.[key] === value;
  });

/** A JSON merge patch (RFC 7386). */
function merge(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Json = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [key, value] of Object.entries(patch as Json)) {
    if (value === null) delete out[key];
    else out[key] = merge(out[key], value);
  }
  return out;
}

export async function startFakeApi(options: FakeOptions = {}): Promise<FakeApi> {
  const requests: Recorded[] = [];
  const store = new Map<string, StoredObject>();
  const watchers = new Set<{ namespace: string; selector: string | null; res: ServerResponse }>();
  const podLog: { rv: number; type: string; pod: StoredObject }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let version = 100;
  let podCount = 0;
  let eventCount = 0;
  const readyAfterMs = options.readyAfterMs ?? 150;
  const behaviourOf = options.behaviour ?? (() => 'ready');

  const later = (ms: number, work: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      work();
    }, ms);
    timers.add(timer);
  };
  const pathOf = (plural: string, namespace: string | undefined, name: string) =>
    `/${KINDS[plural]?.apiVersion === 'v1' ? 'api/v1' : `apis/${KINDS[plural]?.apiVersion ?? ''}`}${namespace === undefined ? '' : `/namespaces/${namespace}`}/${plural}/${name}`;
  const put = (path: string, object: StoredObject) => {
    version += 1;
    object.metadata.resourceVersion = String(version);
    store.set(path, object);
    return object;
  };

  // --- pods and their watchers ---
  const podEvent = (type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: StoredObject) => {
    podLog.push({ rv: Number(pod.metadata.resourceVersion), type, pod: clone(pod) });
    for (const watcher of watchers) {
      if (watcher.namespace === pod.metadata.namespace && matches(pod.metadata.labels, watcher.selector)) watcher.res.write(`${JSON.stringify({ type, object: pod })}\n`);
    }
  };
  const savePod = (pod: StoredObject, type: 'ADDED' | 'MODIFIED') => {
    put(pathOf('pods', pod.metadata.namespace, pod.metadata.name), pod);
    podEvent(type, pod);
  };
  const event = (namespace: string, kind: string, name: string, type: string, reason: string, message: string) => {
    eventCount += 1;
    const at = new Date(Date.now() + eventCount).toISOString();
    put(pathOf('events', namespace, `e${eventCount}`), {
      apiVersion: 'v1', kind: 'Event', metadata: { name: `e${eventCount}`, namespace }, involvedObject: { kind, name, namespace }, type, reason, message, lastTimestamp: at, firstTimestamp: at, count: 1,
    });
  };
  const podsOf = (deployment: StoredObject) => {
    const selector = (deployment['spec'] as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    return [...store.values()].filter((o) => o.kind === 'Pod' && o.metadata.namespace === deployment.metadata.namespace && o.metadata.deletionTimestamp === undefined
      && Object.entries(selector).every(([k, v]) => o.metadata.labels?.[k] === v));
  };
  const containerOf = (pod: StoredObject) => ((pod['spec'] as { containers: { image: string }[] }).containers[0] as { image: string });
  const setStatus = (pod: StoredObject, statusValue: Json) => {
    pod['status'] = statusValue;
    savePod(pod, 'MODIFIED');
  };
  const play = (pod: StoredObject) => {
    const ns = pod.metadata.namespace ?? '';
    const name = pod.metadata.name;
    const image = containerOf(pod).image;
    const alive = () => store.get(pathOf('pods', ns, name)) === pod && pod.metadata.deletionTimestamp === undefined;
    const podIP = `10.1.0.${podCount % 250}`;
    const running = (ready: boolean, restartCount = 0): Json => ({
      phase: 'Running', podIP, podIPs: [{ ip: podIP }],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }, { type: 'PodScheduled', status: 'True' }],
      containerStatuses: [{ name: 'action', image, imageID: '', ready, restartCount, started: true, state: { running: { startedAt: new Date().toISOString() } } }],
    });
    event(ns, 'Pod', name, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to node-1`);
    switch (behaviourOf(image)) {
      case 'ready':
        return later(readyAfterMs, () => {
          if (!alive()) return;
          event(ns, 'Pod', name, 'Normal', 'Started', 'Started container action');
          setStatus(pod, running(true));
        });
      case 'pull-fails':
        return later(readyAfterMs, () => {
          if (!alive()) return;
          const message = `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found`;
          event(ns, 'Pod', name, 'Normal', 'Pulling', `Pulling image "${image}"`);
          event(ns, 'Pod', name, 'Warning', 'Failed', message);
          event(ns, 'Pod', name, 'Warning', 'Failed', 'Error: ErrImagePull');
          setStatus(pod, { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ name: 'action', image, imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull', message: 'failed to pull and unpack image' } } }] });
        });
      case 'never-ready':
        return later(readyAfterMs, () => {
          if (!alive()) return;
          setStatus(pod, running(false));
          event(ns, 'Pod', name, 'Warning', 'Unhealthy', `Readiness probe failed: dial tcp ${podIP}:8080: connect: connection refused`);
        });
      case 'crash-loop':
        return later(readyAfterMs, () => {
          if (!alive()) return;
          event(ns, 'Pod', name, 'Warning', 'BackOff', 'Back-off restarting failed container action in pod');
          setStatus(pod, { ...running(false, 3), phase: 'Running', containerStatuses: [{ name: 'action', image, imageID: '', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', message: 'the wrapper cannot load handler.js' } } }] });
        });
    }
  };
  const removePod = (pod: StoredObject) => {
    if (pod.metadata.deletionTimestamp !== undefined) return;
    pod.metadata.deletionTimestamp = new Date().toISOString();
    savePod(pod, 'MODIFIED');
    later(50, () => {
      const path = pathOf('pods', pod.metadata.namespace, pod.metadata.name);
      if (store.get(path) !== pod) return;
      store.delete(path);
      version += 1;
      pod.metadata.resourceVersion = String(version);
      podEvent('DELETED', pod);
    });
  };
  /** The Deployment and ReplicaSet controllers: pods up to replicas (the lowest deletion cost goes first), status after. */
  const reconcile = (deployment: StoredObject) => {
    const spec = deployment['spec'] as { replicas?: number; template: { metadata: Meta; spec: Json } };
    const wanted = spec.replicas ?? 1;
    const current = podsOf(deployment);
    const ns = deployment.metadata.namespace ?? '';
    for (let n = current.length; n < wanted; n++) {
      podCount += 1;
      const name = `${deployment.metadata.name}-5d9c7f${String(podCount).padStart(4, '0')}-x${podCount}`;
      const pod: StoredObject = {
        apiVersion: 'v1', kind: 'Pod', metadata: { ...clone(spec.template.metadata), name, namespace: ns, uid: `pod-${podCount}`, creationTimestamp: new Date().toISOString() },
        spec: clone(spec.template.spec), status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }] },
      };
      savePod(pod, 'ADDED');
      play(pod);
    }
    const cost = (pod: StoredObject) => Number(pod.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0);
    for (const pod of [...current].sort((a, b) => cost(a) - cost(b)).slice(0, Math.max(0, current.length - wanted))) removePod(pod);
  };
  const deploymentStatus = (deployment: StoredObject): Json => {
    const pods = podsOf(deployment);
    const ready = pods.filter((pod) => (pod['status'] as { conditions?: { type: string; status: string }[] }).conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    const replicas = (deployment['spec'] as { replicas?: number }).replicas ?? 1;
    return { observedGeneration: deployment.metadata.generation, replicas: pods.length, updatedReplicas: pods.length, readyReplicas: ready, availableReplicas: ready, conditions: [{ type: 'Available', status: ready >= Math.min(1, replicas) ? 'True' : 'False', reason: ready > 0 ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable' }] };
  };

  // --- requests ---
  const apply = (res: ServerResponse, path: string, plural: string, namespace: string | undefined, name: string, query: URLSearchParams, body: StoredObject) => {
    if ((query.get('fieldManager') ?? '') === '') return status(res, 422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    if (body.kind !== KINDS[plural]?.kind || body.metadata.name !== name) return status(res, 400, 'BadRequest', `the body's kind/name (${body.kind}/${body.metadata.name}) does not match the path`);
    if (namespace !== undefined && !store.has(pathOf('namespaces', undefined, namespace))) return status(res, 404, 'NotFound', `namespaces "${namespace}" not found`);
    const existing = store.get(path);
    const next = clone(body);
    next.metadata = { ...next.metadata, uid: existing?.metadata.uid ?? `uid-${version}`, creationTimestamp: existing?.metadata.creationTimestamp ?? new Date().toISOString() };
    if (plural === 'deployments') {
      const spec = next['spec'] as { replicas?: number };
      // Fields the applier leaves out keep what they had (replicas set through the scale subresource).
      spec.replicas ??= (existing?.['spec'] as { replicas?: number } | undefined)?.replicas ?? 1;
      const changed = existing === undefined || JSON.stringify(existing['spec']) !== JSON.stringify(next['spec']);
      next.metadata.generation = (existing?.metadata.generation ?? 0) + (changed ? 1 : 0);
    }
    if (plural === 'services') (next['spec'] as Json)['clusterIP'] = (existing?.['spec'] as Json | undefined)?.['clusterIP'] ?? `10.96.0.${store.size % 250}`;
    put(path, next);
    if (plural === 'deployments') reconcile(next);
    send(res, existing === undefined ? 201 : 200, next);
  };
  const watch = (res: ServerResponse, namespace: string, query: URLSearchParams) => {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const from = Number(query.get('resourceVersion') ?? '0');
    const selector = query.get('labelSelector');
    for (const entry of podLog) {
      if (entry.rv > from && entry.pod.metadata.namespace === namespace && matches(entry.pod.metadata.labels, selector)) res.write(`${JSON.stringify({ type: entry.type, object: entry.pod })}\n`);
    }
    if (query.get('allowWatchBookmarks') === 'true') res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(version) } } })}\n`);
    const watcher = { namespace, selector, res };
    watchers.add(watcher);
    res.on('close', () => watchers.delete(watcher));
  };
  const handle = (req: IncomingMessage, res: ServerResponse, text: string) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const contentType = req.headers['content-type'] ?? '';
    let body: unknown;
    try {
      body = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      return status(res, 400, 'BadRequest', 'the body is not JSON');
    }
    requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, contentType, body });
    const match = ROUTE.exec(url.pathname);
    if (match === null) return status(res, 404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    const [, namespace, plural = '', name, sub] = match;
    if (KINDS[plural] === undefined) return status(res, 404, 'NotFound', `the server could not find the requested resource (${plural})`);
    if (options.forbidden?.(req.method ?? '', plural, namespace) === true) {
      return status(res, 403, 'Forbidden', `${plural} "${name ?? ''}" is forbidden: User "system:serviceaccount:trellis:runner" cannot ${req.method?.toLowerCase() ?? ''} resource "${plural}" in API group "${KINDS[plural]?.apiVersion.includes('/') === true ? KINDS[plural]?.apiVersion.split('/')[0] ?? '' : ''}" in the namespace "${namespace ?? ''}"`);
    }
    const path = name === undefined ? '' : pathOf(plural, namespace, name);
    const existing = name === undefined ? undefined : store.get(path);
    const missing = () => status(res, 404, 'NotFound', `${plural}${sub ? `/${sub}` : ''} "${name ?? ''}" not found`);

    if (name === undefined && req.method === 'GET') {
      if (url.searchParams.get('watch') === 'true') return watch(res, namespace ?? '', url.searchParams);
      const items = [...store.values()].filter((o) => o.kind === KINDS[plural]?.kind && (namespace === undefined || o.metadata.namespace === namespace) && matches(o.metadata.labels, url.searchParams.get('labelSelector')));
      return send(res, 200, { apiVersion: KINDS[plural]?.apiVersion, kind: `${KINDS[plural]?.kind ?? ''}List`, metadata: { resourceVersion: String(version) }, items });
    }
    if (name === undefined && req.method === 'POST') {
      const object = body as StoredObject;
      const target = pathOf(plural, namespace, object.metadata.name);
      if (store.has(target)) return status(res, 409, 'AlreadyExists', `${plural} "${object.metadata.name}" already exists`);
      return send(res, 201, put(target, clone(object)));
    }
    if (name === undefined) return status(res, 405, 'MethodNotAllowed', 'not allowed');
    if (sub === 'scale') {
      if (existing === undefined) return missing();
      const spec = existing['spec'] as { replicas?: number };
      if (req.method === 'PATCH') {
        if (contentType !== 'application/merge-patch+json') return status(res, 415, 'UnsupportedMediaType', `the scale patch must be a merge patch, got ${contentType}`);
        const replicas = (body as { spec?: { replicas?: unknown } }).spec?.replicas;
        if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) return status(res, 422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${String(replicas)}`);
        spec.replicas = replicas;
        put(path, existing);
        reconcile(existing);
      }
      return send(res, 200, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name, namespace, resourceVersion: existing.metadata.resourceVersion }, spec: { replicas: spec.replicas ?? 1 }, status: { replicas: podsOf(existing).length } });
    }
    switch (req.method) {
      case 'GET':
        if (existing === undefined) return missing();
        return send(res, 200, plural === 'deployments' ? { ...existing, status: deploymentStatus(existing) } : existing);
      case 'PATCH':
        if (contentType === 'application/apply-patch+yaml') return apply(res, path, plural, namespace, name, url.searchParams, body as StoredObject);
        if (contentType !== 'application/merge-patch+json') return status(res, 415, 'UnsupportedMediaType', `unsupported patch type ${contentType}`);
        if (existing === undefined) return missing();
        if (plural === 'pods') {
          const patched = merge(existing, body) as StoredObject;
          Object.assign(existing, patched);
          savePod(existing, 'MODIFIED');
          return send(res, 200, existing);
        }
        return send(res, 200, put(path, merge(existing, body) as StoredObject));
      case 'DELETE':
        if (existing === undefined) return missing();
        if (plural === 'pods') {
          removePod(existing);
          // The ReplicaSet controller replaces it.
          const owner = [...store.values()].find((o) => o.kind === 'Deployment' && o.metadata.namespace === namespace && name.startsWith(`${o.metadata.name}-`));
          if (owner !== undefined) reconcile(owner);
          return send(res, 200, existing);
        }
        store.delete(path);
        if (plural === 'deployments') for (const pod of podsOf(existing)) removePod(pod);
        return send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: plural } });
      default:
        return status(res, 405, 'MethodNotAllowed', `${req.method ?? ''} is not allowed here`);
    }
  };

  const server: Server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => handle(req, res, text));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    object: (path) => store.get(path),
    objects: (kind) => [...store.values()].filter((o) => kind === undefined || o.kind === kind),
    pods: (namespace) => [...store.values()].filter((o) => o.kind === 'Pod' && o.metadata.namespace === namespace),
    restartContainer(namespace, pod) {
      const object = store.get(pathOf('pods', namespace, pod));
      if (object === undefined) throw new Error(`no pod ${pod}`);
      const statusValue = object['status'] as { containerStatuses: { restartCount: number }[] };
      for (const container of statusValue.containerStatuses) container.restartCount += 1;
      event(namespace, 'Pod', pod, 'Warning', 'BackOff', 'Back-off restarting failed container action');
      savePod(object, 'MODIFIED');
    },
    endWatches() {
      for (const watcher of watchers) watcher.res.end();
      watchers.clear();
    },
    kubeConfig() {
      const config = new KubeConfig();
      config.loadFromOptions({
        clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
        users: [{ name: 'runner', token: 'fake-token' }],
        contexts: [{ name: 'fake', cluster: 'fake', user: 'runner' }],
        currentContext: 'fake',
      });
      return config;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const watcher of watchers) watcher.res.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
