import type { V1Pod } from '@kubernetes/client-node';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import type { Cluster, EventLine } from './cluster.js';
import type { Endpoints } from './endpoints.js';
import { notReadyReason, stuckOf, stuckReason } from './pod-state.js';

/** Waits for a version's first serving pod, told of every change of its pods. */
export type Serving = {
  /** The pods changed (the watch's view) or a pod began or stopped serving. */
  changed: (pods?: ReadonlyMap<string, V1Pod>) => void;
  /** Resolves once a pod serves; with a reason when a pod is stuck for good or none serves within `timeoutMs`. */
  wait: () => Promise<Result<void, string>>;
};

export type ServingSettings = {
  readonly cluster: Cluster;
  readonly endpoints: Endpoints;
  readonly namespace: string;
  /** The Deployment's name: its events are about objects named after it. */
  readonly name: string;
  readonly image: string;
  readonly timeoutMs: number;
};

type Waiter = { readonly check: () => boolean };

export function makeServing(settings: ServingSettings): Serving {
  const { cluster, endpoints } = settings;
  const waiters = new Set<Waiter>();
  let pods: ReadonlyMap<string, V1Pod> = new Map();

  /** A pod stuck for good; one on its way out (of an earlier attempt) says nothing about this one. */
  const stuckPod = () => [...pods.values()].filter((pod) => pod.metadata?.deletionTimestamp === undefined).map(stuckOf).find((found) => found !== undefined);

  const wait = (): Promise<Result<void, string>> =>
    new Promise((resolve) => {
      let settled = false;
      const settle = () => {
        settled = true;
        clearTimeout(timer);
        waiters.delete(waiter);
      };
      /** Fails with what the cluster says about the Deployment's pods. */
      const explain = (reasonOf: (events: readonly EventLine[]) => string) => {
        settle();
        void cluster.eventsAbout(settings.namespace, settings.name).catch(() => []).then((events) => resolve(rejected(reasonOf(events))));
      };
      const waiter: Waiter = {
        check: () => {
          if (settled) return true;
          if (endpoints.count() > 0) {
            settle();
            resolve(ok(undefined));
            return true;
          }
          const stuck = stuckPod();
          if (stuck === undefined) return false;
          explain((events) => stuckReason(stuck, settings.image, events));
          return true;
        },
      };
      const timer = setTimeout(() => {
        if (settled) return;
        const refusal = endpoints.lastRefusal();
        explain((events) => `${notReadyReason(settings.timeoutMs, events)}${refusal === undefined ? '' : `; ${refusal}`}`);
      }, settings.timeoutMs);
      timer.unref();
      if (!waiter.check()) waiters.add(waiter);
    });

  return {
    changed(current) {
      if (current !== undefined) pods = current;
      for (const waiter of [...waiters]) if (waiter.check()) waiters.delete(waiter);
    },
    wait,
  };
}
