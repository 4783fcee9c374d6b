import {
  ApiException, AppsV1Api, CoreV1Api, type KubeConfig, NetworkingV1Api, PatchStrategy, setHeaderOptions, type V1Pod, Watch,
} from '@kubernetes/client-node';

/** The site's field manager: server-side apply and scale patches are owned by it. */
export const FIELD_MANAGER = 'trellis-runner';

/** An object to apply, in the wire's field names. */
export type KubeObject = { readonly apiVersion?: string; readonly kind?: string; readonly metadata?: { readonly name?: string; readonly namespace?: string } };

export type PodEvent = { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly pod: V1Pod } | { readonly type: 'BOOKMARK'; readonly resourceVersion: string } | { readonly type: 'ERROR'; readonly code: number };

/** One event line as people read it: `Pod/x-1: Warning Failed: Failed to pull image ...`. */
export type EventLine = { readonly object: string; readonly reason: string; readonly message: string; readonly line: string };

/** The calls the site makes to the API server, as plain functions (tests point the KubeConfig at a fake server). */
export type Cluster = {
  /** Server-side apply (create or update, idempotent). */
  apply: (object: KubeObject) => Promise<void>;
  /** The Deployment's replicas from its scale subresource; undefined when it does not exist. */
  replicasOf: (namespace: string, name: string) => Promise<number | undefined>;
  scale: (namespace: string, name: string, replicas: number) => Promise<void>;
  listPods: (namespace: string, selector: string) => Promise<{ readonly pods: V1Pod[]; readonly resourceVersion: string }>;
  /** A real watch (`?watch=true`, JSON lines); `done` once it ends for any reason. Returns its abort. */
  watchPods: (namespace: string, selector: string, resourceVersion: string, onEvent: (event: PodEvent) => void, done: (error: unknown) => void) => Promise<AbortController>;
  /** Marks a pod the one to remove on the next scale down (controller.kubernetes.io/pod-deletion-cost). */
  markForRemoval: (namespace: string, pod: string) => Promise<void>;
  deletePod: (namespace: string, pod: string) => Promise<void>;
  /** The namespace's events about objects whose name starts with `prefix` (the Deployment, its replica sets and pods), oldest first. */
  eventsAbout: (namespace: string, prefix: string) => Promise<EventLine[]>;
  /** The Deployment's annotations (undefined when it does not exist). */
  annotationsOf: (namespace: string, name: string) => Promise<Readonly<Record<string, string>> | undefined>;
  /** Sets (a string) or removes (null) annotations of the Deployment by a merge patch. */
  annotate: (namespace: string, name: string, annotations: Readonly<Record<string, string | null>>) => Promise<void>;
  /** Deletes a Deployment (its pods with it) and its Service; gone already is fine. */
  deleteVersion: (namespace: string, name: string) => Promise<void>;
};

const applyOptions = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
const mergeOptions = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export const isStatus = (error: unknown, code: number): boolean => error instanceof ApiException && error.code === code;

const ignoreNotFound = (error: unknown): void => {
  if (!isStatus(error, 404)) throw error;
};

export function makeCluster(config: KubeConfig): Cluster {
  const core = config.makeApiClient(CoreV1Api);
  const apps = config.makeApiClient(AppsV1Api);
  const networking = config.makeApiClient(NetworkingV1Api);
  const watch = new Watch(config);
  const applied = { fieldManager: FIELD_MANAGER, force: true };

  const apply = async (object: KubeObject): Promise<void> => {
    const name = object.metadata?.name ?? '';
    const namespace = object.metadata?.namespace ?? '';
    switch (object.kind) {
      case 'Namespace':
        await core.patchNamespace({ name, body: object, ...applied }, applyOptions);
        return;
      case 'NetworkPolicy':
        await networking.patchNamespacedNetworkPolicy({ name, namespace, body: object, ...applied }, applyOptions);
        return;
      case 'Service':
        await core.patchNamespacedService({ name, namespace, body: object, ...applied }, applyOptions);
        return;
      case 'Deployment':
        await apps.patchNamespacedDeployment({ name, namespace, body: object, ...applied }, applyOptions);
        return;
      default:
        throw new Error(`the kubernetes site does not apply ${object.kind ?? 'objects without a kind'}`);
    }
  };

  return {
    apply,
    async replicasOf(namespace, name) {
      try {
        return (await apps.readNamespacedDeploymentScale({ name, namespace })).spec?.replicas ?? 0;
      } catch (error) {
        ignoreNotFound(error);
        return undefined;
      }
    },
    async scale(namespace, name, replicas) {
      await apps.patchNamespacedDeploymentScale({ name, namespace, body: { spec: { replicas } }, fieldManager: FIELD_MANAGER }, mergeOptions);
    },
    async listPods(namespace, selector) {
      const list = await core.listNamespacedPod({ namespace, labelSelector: selector });
      return { pods: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
    },
    watchPods: (namespace, selector, resourceVersion, onEvent, done) =>
      watch.watch(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
        { labelSelector: selector, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 240 },
        (type: string, object: unknown) => onEvent(podEventOf(type, object)),
        done,
      ),
    async markForRemoval(namespace, pod) {
      await core.patchNamespacedPod({ name: pod, namespace, body: { metadata: { annotations: { 'controller.kubernetes.io/pod-deletion-cost': '-1000' } } } }, mergeOptions);
    },
    async deletePod(namespace, pod) {
      await core.deleteNamespacedPod({ name: pod, namespace }).catch(ignoreNotFound);
    },
    async eventsAbout(namespace, prefix) {
      const list = await core.listNamespacedEvent({ namespace });
      return list.items
        .filter((event) => event.involvedObject.name?.startsWith(prefix) === true)
        .sort((a, b) => timeOf(a) - timeOf(b))
        .map((event) => {
          const object = `${event.involvedObject.kind ?? ''}/${event.involvedObject.name ?? ''}`;
          const reason = event.reason ?? '';
          const message = (event.message ?? '').trim();
          return { object, reason, message, line: `${object}: ${event.type ?? ''} ${reason}: ${message}` };
        });
    },
    async annotationsOf(namespace, name) {
      try {
        return (await apps.readNamespacedDeployment({ name, namespace })).metadata?.annotations ?? {};
      } catch (error) {
        ignoreNotFound(error);
        return undefined;
      }
    },
    async annotate(namespace, name, annotations) {
      await apps.patchNamespacedDeployment({ name, namespace, body: { metadata: { annotations } }, fieldManager: FIELD_MANAGER }, mergeOptions);
    },
    async deleteVersion(namespace, name) {
      await apps.deleteNamespacedDeployment({ name, namespace, propagationPolicy: 'Background' }).catch(ignoreNotFound);
      await core.deleteNamespacedService({ name, namespace }).catch(ignoreNotFound);
    },
  };
}

type EventTimes = { lastTimestamp?: Date; eventTime?: Date; metadata: { creationTimestamp?: Date } };
const timeOf = (event: EventTimes): number => new Date(event.lastTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp ?? 0).getTime();

/** A watch line's object is raw JSON (the client does not deserialise it): the fields read here have their wire names. */
function podEventOf(type: string, object: unknown): PodEvent {
  if (type === 'BOOKMARK') return { type, resourceVersion: (object as V1Pod).metadata?.resourceVersion ?? '' };
  if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') return { type, pod: object as V1Pod };
  return { type: 'ERROR', code: (object as { code?: number }).code ?? 0 };
}
