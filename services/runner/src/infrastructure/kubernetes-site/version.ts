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
import { notReadyReason, stuckOf, stuckReason } from './pod-state.js';
import { watchPods, type PodWatch } from './pod-watch.js';
import { scaleDownTo, scaleUpTo } from './scaling.js';
import { busyKeyOf, othersBusyUntil, staleMarks } from './busy-marks.js';
import type { KubernetesSiteSettings } from './settings.js';

/** One action version (and resource profile) on the cluster: its Deployment, its pods, its scale. */
export type VersionDeployment = ActionInstance & {
  /** Applies its objects and waits until a pod serves (or says why none will). */
  prepare: () => Promise<Result<void, PrepareFailure>>;
  /** Deletes its Deployment and Service (after its calls in flight); the site forgets it. */
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

type Waiter = { readonly check: () => boolean };

export function makeVersionDeployment(profile: VersionProfile, deps: VersionDeps): VersionDeployment {
  const { cluster, settings } = deps;
  const action = profile.ref;
  const namespace = namespaceOf(settings.namespacePrefix, action.projectId);
  const name = objectNameOf(profile);
  const label = `${action.actionId}@${action.version}`;
  const demand = { target: settings.targetConcurrency, max: settings.maxReplicas };
  const limiter = makeLimiter(settings.targetConcurrency * settings.maxReplicas);
  // The Service's address, for people and tools (grpcurl, port-forward): the runner itself calls pods (endpoints.ts says why).
  const service = `${name}.${namespace}.svc.${settings.clusterDomain}:${PORT}`;
  const fields = (more: Record<string, unknown> = {}) => ({ action: label, namespace, deployment: name, service, ...more });

  let state: SiteStats['state'] = 'stopped';
  let replicas: number | undefined;
  let inFlight = 0;
  let peak = 0;
  let released = false;
  let applied: Promise<void> | undefined;
  let watch: PodWatch | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  let downTimer: NodeJS.Timeout | undefined;
  let pods: ReadonlyMap<string, V1Pod> = new Map();
  let restartsSeen = 0;
  const counts = { coldStarts: 0, lastColdStartMs: null as number | null };
  const waiters = new Set<Waiter>();
  let markGone: () => void = () => undefined;
  const gone = new Promise<void>((resolve) => (markGone = resolve));

  const notify = () => {
    for (const waiter of [...waiters]) if (waiter.check()) waiters.delete(waiter);
  };
  const endpoints = makeEndpoints({
    action,
    addressOf: (pod) => settings.addressOf?.({ namespace, service: name, pod: pod.metadata?.name ?? '', podIp: pod.status?.podIP ?? '' }) ?? `${pod.status?.podIP ?? ''}:${PORT}`,
    initTimeoutMs: 10_000,
    onChange: notify,
    onEvent: deps.onEvent,
  });
  const onPods = (current: ReadonlyMap<string, V1Pod>) => {
    pods = current;
    endpoints.update(current);
    const restarts = [...current.values()].reduce((sum, pod) => sum + (pod.status?.containerStatuses ?? []).reduce((n, s) => n + s.restartCount, 0), 0);
    restartsSeen = Math.max(restartsSeen, restarts);
    if (endpoints.count() > 0 && state !== 'idle') state = 'ready';
    notify();
  };

  /** Objects applied once per runner process (a prepare applies them again: someone may have changed them). */
  const apply = async () => {
    await deps.projectReady();
    await cluster.apply(serviceObject(settings, profile));
    await cluster.apply(deploymentObject(settings, profile));
    replicas = await cluster.replicasOf(namespace, name);
    watch ??= watchPods(cluster, { namespace, selector: selectorOf(profile), onPods, onError: (error) => deps.onEvent('pod watch failed', fields({ error: (error as Error).message })) });
  };
  const appliedOnce = () => (applied ??= apply().catch((error: unknown) => {
    applied = undefined;
    throw error;
  }));
  /** While it has calls, this runner renews its busy mark (a third of the idle time before it would lapse). */
  let markedAt = Number.NEGATIVE_INFINITY;
  const markBusy = () => {
    const wall = Date.now();
    if (wall - markedAt < settings.idleMs / 3) return;
    markedAt = wall;
    cluster.annotate(namespace, name, { [busyKeyOf(deps.runnerId)]: new Date(wall + settings.idleMs).toISOString() })
      .catch((error: unknown) => deps.onEvent('busy mark not set', fields({ error: (error as Error).message })));
  };
  /** Until when another runner is busy with the version (it must not be scaled down meanwhile); marks long past are removed. */
  const othersBusy = async (): Promise<number | undefined> => {
    const annotations = await cluster.annotationsOf(namespace, name);
    if (annotations === undefined) return undefined;
    const wall = Date.now();
    const stale = staleMarks(annotations, deps.runnerId, wall, settings.idleMs * 2);
    if (stale.length > 0) await cluster.annotate(namespace, name, Object.fromEntries(stale.map((key) => [key, null]))).catch(() => undefined);
    return othersBusyUntil(annotations, deps.runnerId, wall);
  };
  const setReplicas = async (count: number) => {
    replicas = count;
    await cluster.scale(namespace, name, count);
  };

  /** Resolves once a pod serves; a reason when one is stuck for good or none serves in time. */
  const routable = (): Promise<Result<void, string>> =>
    new Promise((resolve) => {
      let settled = false;
      const finish = (result: Result<void, string>) => {
        settled = true;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(result);
      };
      const explain = (reasonOf: (events: Awaited<ReturnType<Cluster['eventsAbout']>>) => string) => {
        settled = true;
        waiters.delete(waiter);
        clearTimeout(timer);
        void cluster.eventsAbout(namespace, name).catch(() => []).then((events) => resolve(rejected(reasonOf(events))));
      };
      const waiter: Waiter = {
        check: () => {
          if (settled) return true;
          if (endpoints.count() > 0) {
            finish(ok(undefined));
            return true;
          }
          // A pod on its way out (of an earlier attempt) says nothing about this one.
          const stuck = [...pods.values()].filter((pod) => pod.metadata?.deletionTimestamp === undefined).map(stuckOf).find((found) => found !== undefined);
          if (stuck !== undefined) {
            explain((events) => stuckReason(stuck, profile.image, events));
            return true;
          }
          return false;
        },
      };
      const timer = setTimeout(() => {
        if (settled) return;
        const refusal = endpoints.lastRefusal();
        explain((events) => `${notReadyReason(settings.readyTimeoutMs, events)}${refusal === undefined ? '' : `; ${refusal}`}`);
      }, settings.readyTimeoutMs);
      timer.unref();
      if (!waiter.check()) waiters.add(waiter);
    });

  /** At least one replica, and a pod that serves (one start at a time: the calls that find none wait for the same). */
  let starting: Promise<Result<void, string>> | undefined;
  const startUp = (cause: 'prepare' | 'call'): Promise<Result<void, string>> =>
    (starting ??= start(cause).finally(() => (starting = undefined)));
  const start = async (cause: 'prepare' | 'call'): Promise<Result<void, string>> => {
    await appliedOnce();
    endpoints.resume();
    if (endpoints.count() > 0) return ok(undefined);
    // Another runner may have scaled it since this one last looked.
    replicas = await cluster.replicasOf(namespace, name);
    const cold = (replicas ?? 0) === 0;
    if (cold) await setReplicas(1);
    state = 'starting';
    const started = deps.now();
    const ready = await routable();
    if (!ready.ok) {
      state = 'crashed';
      // A pod that cannot start is not left pulling or crash-looping; its objects stay for inspection.
      await setReplicas(0).catch(() => undefined);
      deps.onEvent('action deployment not ready', fields({ reason: ready.error }));
      return ready;
    }
    if (cold && cause === 'call') {
      counts.coldStarts += 1;
      counts.lastColdStartMs = Math.round(deps.now() - started);
    }
    state = 'ready';
    deps.onEvent('action deployment ready', fields({ cause, cold, duration_ms: Math.round(deps.now() - started) }));
    armIdle();
    return ok(undefined);
  };

  let tearingDown = false;
  /** Deletes its objects; `gone` either way (a failure is logged, and the next release tries again). */
  const teardown = async () => {
    if (tearingDown) return;
    tearingDown = true;
    stopLocal();
    state = 'stopped';
    try {
      await cluster.deleteVersion(namespace, name);
      deps.onEvent('action deployment deleted', fields());
    } catch (error) {
      deps.onEvent('action deployment not deleted', fields({ error: (error as Error).message }));
    } finally {
      markGone();
    }
  };
  const stopLocal = () => {
    clearTimeout(idleTimer);
    clearInterval(downTimer);
    downTimer = undefined;
    watch?.stop();
    watch = undefined;
    applied = undefined;
    endpoints.closeAll();
  };
  const scaleToZero = async (): Promise<void> => {
    clearInterval(downTimer);
    downTimer = undefined;
    endpoints.closeAll();
    await setReplicas(0);
    state = 'idle';
    deps.onEvent('action deployment scaled to zero', fields());
  };
  const armIdle = () => {
    clearTimeout(idleTimer);
    if (inFlight > 0) return;
    if (released) return void teardown();
    if ((replicas ?? 0) === 0) return;
    idleTimer = setTimeout(() => void idle().catch((error: unknown) => deps.onEvent('scale to zero failed', fields({ error: (error as Error).message }))), settings.idleMs);
    idleTimer.unref();
  };
  /** Idle here: to zero unless another runner is busy with it (then looked at again when its mark lapses). */
  const idle = async () => {
    const until = await othersBusy();
    if (inFlight > 0) return;
    if (until === undefined) return scaleToZero();
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => void idle().catch(() => undefined), until - Date.now() + 100);
    idleTimer.unref();
  };
  /** Every window, fewer replicas if its busiest moment needed fewer: the least busy pods are drained and marked to go. */
  const scaleDown = async () => {
    const current = replicas ?? 0;
    const to = scaleDownTo(current, peak, demand);
    peak = inFlight;
    if (to === undefined) return;
    // Another runner's calls may need the replicas: it scales down itself once it is done.
    if ((await othersBusy()) !== undefined) return;
    const victims = endpoints.drain(current - to);
    await Promise.all(victims.map((pod) => cluster.markForRemoval(namespace, pod).catch(() => undefined)));
    await setReplicas(to);
    deps.onEvent('action deployment scaled down', fields({ replicas: to }));
  };
  const scaleUp = () => {
    // From zero it is a cold start, the start's own.
    if ((replicas ?? 0) === 0) return;
    const to = scaleUpTo(replicas ?? 0, inFlight, demand);
    if (to === undefined) return;
    setReplicas(to).then(
      () => deps.onEvent('action deployment scaled up', fields({ replicas: to, in_flight: inFlight })),
      (error: unknown) => deps.onEvent('scale up failed', fields({ error: (error as Error).message })),
    );
    downTimer ??= setInterval(() => void scaleDown().catch(() => undefined), settings.scaleDownEveryMs ?? Math.min(settings.idleMs, 60_000));
    downTimer.unref();
  };

  const live = async (cause: 'prepare' | 'call' | 'listen'): Promise<LiveAction> => {
    if (cause === 'prepare') released = false;
    const picked = endpoints.pick();
    if (picked !== undefined) return picked;
    const started = await startUp(cause === 'prepare' ? 'prepare' : 'call');
    if (!started.ok) throw new Error(started.error);
    const now = endpoints.pick();
    if (now === undefined) throw new Error('no pod of the action serves');
    return now;
  };

  return {
    limiter,
    gone,
    live,
    async prepare() {
      released = false;
      applied = undefined; // apply again: the objects may have been changed or deleted since
      const started = await startUp('prepare');
      return started.ok ? ok(undefined) : rejected({ reason: `${label} could not be started on kubernetes: ${started.error}` });
    },
    busy(delta) {
      inFlight += delta;
      peak = Math.max(peak, inFlight);
      if (delta > 0) {
        clearTimeout(idleTimer);
        markBusy();
        scaleUp();
      } else armIdle();
    },
    hold: () => undefined,
    release() {
      released = true;
      armIdle();
    },
    async scaleToZero() {
      if (inFlight > 0) return 'busy';
      if ((replicas ?? 0) === 0) return 'not_running';
      clearTimeout(idleTimer);
      await scaleToZero();
      return 'stopped';
    },
    retire(retired) {
      const pod = endpoints.retire(retired);
      // A Node handler past its timeout cannot be stopped inside its wrapper: its pod goes, the Deployment makes another.
      if (pod !== undefined) void cluster.deletePod(namespace, pod).catch((error: unknown) => deps.onEvent('pod not deleted', fields({ pod, error: (error as Error).message })));
    },
    stop() {
      stopLocal();
      return Promise.resolve();
    },
    stats: () => ({
      projectId: action.projectId, actionVersion: label, digest: action.digest, state, processes: endpoints.count(), inFlight,
      coldStarts: counts.coldStarts, lastColdStartMs: counts.lastColdStartMs, restarts: restartsSeen,
    }),
    processLog: () => endpoints.lastRefusal() ?? '',
    pid: () => undefined,
  };
}
