import type { V1Pod } from '@kubernetes/client-node';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import type { PrepareFailure, SiteStats } from '../../application/site.js';
import type { ActionInstance } from '../local-site/action-instance.js';
import type { LiveAction } from '../local-site/action-process.js';
import { makeLimiter } from '../local-site/limiter.js';
import type { Cluster } from './cluster.js';
import { makeEndpoints } from './endpoints.js';
import { deploymentObject, serviceObject } from './objects.js';
import { namespaceOf, objectNameOf, PORT, selectorOf, type VersionProfile } from './names.js';
import { restartsOf } from './pod-state.js';
import { watchPods, type PodWatch } from './pod-watch.js';
import { makeScaler } from './scaler.js';
import { makeServing } from './serving.js';
import type { KubernetesSiteSettings } from './settings.js';

/**
 * One action version (and resource profile) on the cluster: its Deployment and Service, its
 * pods as endpoints, its scale. Shaped as the local site's ActionInstance, so the local site's
 * call mapping runs calls on it unchanged.
 */
export type VersionDeployment = ActionInstance & {
  /** Applies its objects and waits until a pod serves (or says why none will). */
  prepare: () => Promise<Result<void, PrepareFailure>>;
  /** Resolves once it was released and its objects deleted: the site forgets it. */
  readonly gone: Promise<void>;
};

export type VersionDeps = {
  readonly cluster: Cluster;
  readonly settings: KubernetesSiteSettings;
  /** The project's namespace and policy, applied once per site. */
  readonly projectReady: () => Promise<void>;
  readonly now: () => number;
  /** This runner process, for its busy mark on the Deployment (several runners share versions). */
  readonly runnerId: string;
  readonly onEvent: (event: string, fields: Record<string, unknown>) => void;
};

export function makeVersionDeployment(profile: VersionProfile, deps: VersionDeps): VersionDeployment {
  const { cluster, settings } = deps;
  const action = profile.ref;
  const namespace = namespaceOf(settings.namespacePrefix, action.projectId);
  const name = objectNameOf(profile);
  const label = `${action.actionId}@${action.version}`;
  // The Service's address, for people and tools (grpcurl, port-forward): the runner itself calls pods (endpoints.ts says why).
  const service = `${name}.${namespace}.svc.${settings.clusterDomain}:${PORT}`;
  // Python's wrapper runs one execution at a time: a replica per call in flight.
  const target = action.runtime === 'python' ? 1 : settings.targetConcurrency;
  const onEvent = (event: string, more: Record<string, unknown> = {}) => deps.onEvent(event, { action: label, namespace, deployment: name, service, ...more });

  let state: SiteStats['state'] = 'stopped';
  let released = false;
  let applied: Promise<void> | undefined;
  let watch: PodWatch | undefined;
  let restartsSeen = 0;
  const counts = { coldStarts: 0, lastColdStartMs: null as number | null };
  let markGone: () => void = () => undefined;
  const gone = new Promise<void>((resolve) => (markGone = resolve));

  const endpoints = makeEndpoints({
    action,
    addressOf: (pod) => settings.addressOf?.({ namespace, service: name, pod: pod.metadata?.name ?? '', podIp: pod.status?.podIP ?? '' }) ?? `${pod.status?.podIP ?? ''}:${PORT}`,
    initTimeoutMs: 10_000,
    onChange: () => serving.changed(),
    onEvent: deps.onEvent,
  });
  const serving = makeServing({ cluster, endpoints, namespace, name, image: profile.image, timeoutMs: settings.readyTimeoutMs });
  const scaler = makeScaler({ cluster, settings, namespace, name, runnerId: deps.runnerId, target, endpoints, onZero: () => (state = 'idle'), onEvent });
  const onPods = (pods: ReadonlyMap<string, V1Pod>) => {
    endpoints.update(pods);
    restartsSeen = Math.max(restartsSeen, [...pods.values()].reduce((sum, pod) => sum + restartsOf(pod), 0));
    if (endpoints.count() > 0 && state !== 'idle') state = 'ready';
    serving.changed(pods);
  };

  /** Objects applied once per runner process (a prepare applies them again: someone may have changed them), then watched. */
  const applyOnce = () => (applied ??= (async () => {
    await deps.projectReady();
    await cluster.apply(serviceObject(settings, profile));
    await cluster.apply(deploymentObject(settings, profile));
    watch ??= watchPods(cluster, { namespace, selector: selectorOf(profile), onPods, onError: (error) => onEvent('pod watch failed', { error: (error as Error).message }) });
  })().catch((error: unknown) => {
    applied = undefined;
    throw error;
  }));

  /** At least one replica, and a pod that serves: one start at a time, the calls that find none wait for the same. */
  let starting: Promise<Result<void, string>> | undefined;
  const startUp = (cause: 'prepare' | 'call') => (starting ??= start(cause).finally(() => (starting = undefined)));
  const start = async (cause: 'prepare' | 'call'): Promise<Result<void, string>> => {
    await applyOnce();
    endpoints.resume();
    if (endpoints.count() > 0) return ok(undefined);
    const cold = ((await scaler.refresh()) ?? 0) === 0;
    if (cold) await scaler.set(1);
    state = 'starting';
    const started = deps.now();
    const served = await serving.wait();
    const tookMs = Math.round(deps.now() - started);
    if (!served.ok) {
      state = 'crashed';
      // A pod that cannot start is not left pulling or crash-looping; its objects stay for inspection.
      await scaler.set(0).catch(() => undefined);
      onEvent('action deployment not ready', { reason: served.error });
      return served;
    }
    if (cold && cause === 'call') {
      counts.coldStarts += 1;
      counts.lastColdStartMs = tookMs;
    }
    state = 'ready';
    onEvent('action deployment ready', { cause, cold, duration_ms: tookMs });
    scaler.armIdle();
    return ok(undefined);
  };

  const stopHere = () => {
    scaler.stop();
    watch?.stop();
    watch = undefined;
    applied = undefined;
    endpoints.closeAll();
  };
  let tearingDown = false;
  /** Deletes its objects; `gone` either way (a failure is logged, and the next release tries again). */
  const teardown = async () => {
    if (tearingDown) return;
    tearingDown = true;
    stopHere();
    state = 'stopped';
    try {
      await cluster.deleteVersion(namespace, name);
      onEvent('action deployment deleted');
    } catch (error) {
      onEvent('action deployment not deleted', { error: (error as Error).message });
    } finally {
      markGone();
    }
  };
  const idleNow = () => (released ? void teardown() : scaler.armIdle());

  const live = async (cause: 'prepare' | 'call' | 'listen'): Promise<LiveAction> => {
    const picked = endpoints.pick();
    if (picked !== undefined) return picked;
    const started = await startUp(cause === 'prepare' ? 'prepare' : 'call');
    if (!started.ok) throw new Error(started.error);
    const now = endpoints.pick();
    if (now === undefined) throw new Error('no pod of the action serves');
    return now;
  };

  return {
    limiter: makeLimiter(target * settings.maxReplicas),
    gone,
    live,
    async prepare() {
      released = false;
      applied = undefined; // apply again: the objects may have been changed or deleted since
      const started = await startUp('prepare');
      return started.ok ? ok(undefined) : rejected({ reason: `${label} could not be started on kubernetes: ${started.error}` });
    },
    busy(delta) {
      if (delta > 0) scaler.callStarted();
      else if (scaler.callEnded()) idleNow();
    },
    hold: () => undefined,
    release() {
      released = true;
      if (scaler.inFlight() === 0) idleNow();
    },
    async scaleToZero() {
      if (scaler.inFlight() > 0) return 'busy';
      if ((scaler.replicas() ?? 0) === 0) return 'not_running';
      await scaler.scaleToZero();
      return 'stopped';
    },
    retire(retired) {
      const pod = endpoints.retire(retired);
      // A Node handler past its timeout cannot be stopped inside its wrapper: its pod goes, the Deployment makes another.
      if (pod !== undefined) cluster.deletePod(namespace, pod).catch((error: unknown) => onEvent('pod not deleted', { pod, error: (error as Error).message }));
    },
    stop() {
      stopHere();
      return Promise.resolve();
    },
    stats: () => ({
      projectId: action.projectId, actionVersion: label, digest: action.digest, state, processes: endpoints.count(), inFlight: scaler.inFlight(),
      coldStarts: counts.coldStarts, lastColdStartMs: counts.lastColdStartMs, restarts: restartsSeen,
    }),
    processLog: () => endpoints.lastRefusal() ?? '',
    pid: () => undefined,
  };
}
