import type { V1Pod } from '@kubernetes/client-node';
import type { ActionVersionRef } from '../../application/site.js';
import { type LiveAction, startLiveAction } from '../local-site/action-process.js';
import { isReady, restartsOf } from './pod-state.js';
import { closeWhenIdle, podHost, withCrashCheck } from './pod-action.js';

/**
 * The pods of a version that take calls, each a LiveAction as the local site's call mapping
 * expects (docs/kubernetes-site.md, "Calls"). The runner talks to pods, not to the Service's
 * ClusterIP: gRPC keeps one HTTP/2 connection per channel, which kube-proxy pins to one pod, so
 * calls through the Service would never spread over replicas. A pod Ready by its TCP probe is
 * routed to only after its Init answers for the pinned action.
 */
export type Endpoints = {
  /** The pods as the watch sees them now. */
  update: (pods: ReadonlyMap<string, V1Pod>) => void;
  /** The routable pod with the fewest calls in flight; undefined when none is. */
  pick: () => LiveAction | undefined;
  /** How many pods take calls. */
  count: () => number;
  /** Stops routing to the `n` least busy pods and marks them the ones to remove: a scale down follows. */
  drain: (n: number) => string[];
  /** Stops routing to the pod of `live` (its calls in flight go on); returns its pod's name. */
  retire: (live: LiveAction) => string | undefined;
  /** Every pod stops taking calls, as on scale to zero or stop (not a crash); pods are not taken in again until `resume`. */
  closeAll: () => void;
  resume: () => void;
  /** Why the last pod that answered Init was refused, if one was. */
  lastRefusal: () => string | undefined;
};

export type EndpointSettings = {
  readonly action: ActionVersionRef;
  readonly addressOf: (pod: V1Pod) => string;
  readonly initTimeoutMs: number;
  /** A pod began or stopped taking calls. */
  readonly onChange: () => void;
  readonly onEvent: (event: string, fields: Record<string, unknown>) => void;
};

/** `reserved`: picked, its call not yet counted in `live.calls` (calls picked in one tick spread over pods). */
type Endpoint = { readonly pod: string; readonly restarts: number; live?: LiveAction; draining: boolean; reserved: number; lost: () => void };

/** How soon Init is tried again on a Ready pod that did not answer it. */
const VERIFY_RETRY_MS = 1000;
/** How long a pod drained for a scale down waits to be removed before it takes calls again. */
const DRAIN_MS = 30_000;

export function makeEndpoints(settings: EndpointSettings): Endpoints {
  const endpoints = new Map<string, Endpoint>();
  let refusal: string | undefined;

  let lastPods: ReadonlyMap<string, V1Pod> = new Map();
  let paused = false;
  const forget = (endpoint: Endpoint, crashed: boolean) => {
    if (endpoints.get(endpoint.pod) === endpoint) endpoints.delete(endpoint.pod);
    endpoint.lost();
    const live = endpoint.live;
    if (live === undefined) return;
    if (crashed && !live.stopping) {
      live.crashed = true;
      for (const call of live.calls) call.abort(new Error('the action pod died'));
      settings.onEvent('action pod crashed', { action: `${settings.action.actionId}@${settings.action.version}`, pod: endpoint.pod, calls: live.calls.size });
    }
    closeWhenIdle(live);
    settings.onChange();
  };
  /**
   * A pod whose wrapper failed Health right after a failed Run is taken out at once (the watch
   * may see its restart later, or never when it recovered); it is looked at again shortly.
   */
  const suspect = (live: LiveAction) => {
    const endpoint = [...endpoints.values()].find((candidate) => candidate.live === live);
    if (endpoint === undefined) return;
    forget(endpoint, true);
    const again = setTimeout(() => update(lastPods), VERIFY_RETRY_MS);
    again.unref();
  };

  const verify = async (pod: V1Pod, endpoint: Endpoint) => {
    const { host, lost } = podHost(settings.addressOf(pod));
    endpoint.lost = lost;
    try {
      const started = await startLiveAction(settings.action, host, { startTimeoutMs: settings.initTimeoutMs });
      if (endpoints.get(endpoint.pod) !== endpoint) return started.client.close();
      endpoint.live = withCrashCheck(started, suspect);
      refusal = undefined;
      settings.onEvent('action pod serving', { action: `${settings.action.actionId}@${settings.action.version}`, pod: endpoint.pod, restarts: endpoint.restarts });
      settings.onChange();
    } catch (error) {
      refusal = `pod ${endpoint.pod}: ${(error as Error).message}`;
      const retry = setTimeout(() => {
        if (endpoints.get(endpoint.pod) === endpoint && endpoint.live === undefined) void verify(pod, endpoint);
      }, VERIFY_RETRY_MS);
      retry.unref();
      settings.onChange();
    }
  };

  const update = (pods: ReadonlyMap<string, V1Pod>) => {
    lastPods = pods;
    for (const endpoint of [...endpoints.values()]) {
      const pod = pods.get(endpoint.pod);
      if (pod === undefined) forget(endpoint, true);
      else if (restartsOf(pod) > endpoint.restarts) forget(endpoint, true);
      else if (pod.metadata?.deletionTimestamp !== undefined) {
        // Being removed (a scale down, an eviction): its calls in flight finish, the wrapper drains on SIGTERM.
        endpoint.draining = true;
        if (endpoint.live !== undefined) endpoint.live.stopping = true;
      } else if (!isReady(pod) && endpoint.live !== undefined) endpoint.draining = true;
      else if (isReady(pod) && endpoint.draining && endpoint.live?.stopping === false) endpoint.draining = false;
    }
    for (const [name, pod] of pods) {
      if (paused || endpoints.has(name) || !isReady(pod)) continue;
      const endpoint: Endpoint = { pod: name, restarts: restartsOf(pod), draining: false, reserved: 0, lost: () => undefined };
      endpoints.set(name, endpoint);
      void verify(pod, endpoint);
    }
  };

  return {
    update,
    pick() {
      let best: Endpoint | undefined;
      const load = (endpoint: Endpoint) => (endpoint.live?.calls.size ?? 0) + endpoint.reserved;
      for (const endpoint of endpoints.values()) {
        const live = endpoint.live;
        if (live === undefined || endpoint.draining || live.crashed || live.stopping) continue;
        if (best === undefined || load(endpoint) < load(best)) best = endpoint;
      }
      if (best === undefined) return undefined;
      const picked = best;
      picked.reserved += 1;
      setImmediate(() => (picked.reserved -= 1));
      return picked.live;
    },
    count: () => [...endpoints.values()].filter((endpoint) => endpoint.live !== undefined && !endpoint.draining && !endpoint.live.crashed).length,
    drain(n) {
      const routable = [...endpoints.values()].filter((endpoint) => endpoint.live !== undefined && !endpoint.draining);
      const victims = routable.sort((a, b) => (a.live?.calls.size ?? 0) - (b.live?.calls.size ?? 0)).slice(0, n);
      for (const victim of victims) {
        victim.draining = true;
        if (victim.live !== undefined) victim.live.stopping = true;
      }
      // The deletion cost is a preference: a victim the Deployment kept takes calls again.
      const undrain = setTimeout(() => {
        for (const victim of victims) {
          const pod = lastPods.get(victim.pod);
          if (endpoints.get(victim.pod) !== victim || pod === undefined || pod.metadata?.deletionTimestamp !== undefined || !isReady(pod)) continue;
          victim.draining = false;
          if (victim.live !== undefined) victim.live.stopping = false;
        }
        settings.onChange();
      }, DRAIN_MS);
      undrain.unref();
      return victims.map((victim) => victim.pod);
    },
    retire(live) {
      const endpoint = [...endpoints.values()].find((candidate) => candidate.live === live);
      if (endpoint === undefined) return undefined;
      endpoint.draining = true;
      live.stopping = true;
      return endpoint.pod;
    },
    resume() {
      if (!paused) return;
      paused = false;
      update(lastPods);
    },
    closeAll() {
      paused = true;
      for (const endpoint of [...endpoints.values()]) {
        if (endpoint.live !== undefined) endpoint.live.stopping = true;
        forget(endpoint, false);
      }
    },
    lastRefusal: () => refusal,
  };
}
