import type { V1Pod } from '@kubernetes/client-node';
import type { Cluster, PodEvent } from './cluster.js';

export type PodWatch = { stop: () => void };

export type PodWatchOptions = {
  readonly namespace: string;
  readonly selector: string;
  /** Every change of the set of pods (the whole set, by name). */
  readonly onPods: (pods: ReadonlyMap<string, V1Pod>) => void;
  readonly onError: (error: unknown) => void;
  /** Wait before listing again after a failure. */
  readonly retryMs?: number;
};

/**
 * The pods of one version, kept current: a list, then a watch from its resourceVersion (with
 * bookmarks); a watch that ends (the server closes them after a while) is opened again from the
 * last version seen, and one that fails, or is told its version is gone (410), lists again.
 */
export function watchPods(cluster: Cluster, options: PodWatchOptions): PodWatch {
  const pods = new Map<string, V1Pod>();
  let stopped = false;
  let abort: AbortController | undefined;
  let retry: NodeJS.Timeout | undefined;
  let resourceVersion = '';

  const later = (next: () => void) => {
    if (stopped) return;
    retry = setTimeout(next, options.retryMs ?? 1000);
    retry.unref();
  };
  const onEvent = (event: PodEvent) => {
    if (stopped) return;
    if (event.type === 'BOOKMARK') {
      resourceVersion = event.resourceVersion;
      return;
    }
    if (event.type === 'ERROR') {
      resourceVersion = ''; // 410 Gone and the like: start over from a list
      abort?.abort();
      return;
    }
    const name = event.pod.metadata?.name ?? '';
    resourceVersion = event.pod.metadata?.resourceVersion ?? resourceVersion;
    if (event.type === 'DELETED') pods.delete(name);
    else pods.set(name, event.pod);
    options.onPods(pods);
  };
  const follow = async () => {
    if (stopped) return;
    try {
      abort = await cluster.watchPods(options.namespace, options.selector, resourceVersion, onEvent, (error: unknown) => {
        if (stopped) return;
        if (error !== null && error !== undefined && !isAbort(error)) {
          options.onError(error);
          resourceVersion = '';
        }
        later(() => void (resourceVersion === '' ? list() : follow()));
      });
      if (stopped) abort.abort();
    } catch (error) {
      options.onError(error);
      later(() => void list());
    }
  };
  const list = async () => {
    if (stopped) return;
    try {
      const listed = await cluster.listPods(options.namespace, options.selector);
      if (stopped) return;
      pods.clear();
      for (const pod of listed.pods) pods.set(pod.metadata?.name ?? '', pod);
      resourceVersion = listed.resourceVersion;
      options.onPods(pods);
    } catch (error) {
      options.onError(error);
      return later(() => void list());
    }
    await follow();
  };

  void list();
  return {
    stop() {
      stopped = true;
      clearTimeout(retry);
      abort?.abort();
    },
  };
}

const isAbort = (error: unknown): boolean => error instanceof Error && (error.name === 'AbortError' || error.message.includes('aborted'));
