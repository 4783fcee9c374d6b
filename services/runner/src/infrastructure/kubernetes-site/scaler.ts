import type { Cluster } from './cluster.js';
import { busyKeyOf, othersBusyUntil, staleMarks } from './busy-marks.js';
import type { Endpoints } from './endpoints.js';
import { scaleDownTo, scaleUpTo } from './scaling.js';
import type { KubernetesSiteSettings } from './settings.js';

/**
 * A version's replicas as this runner sets them (docs/kubernetes-site.md, "Scaling"): up with
 * its calls in flight, down each window to what the window's busiest moment needed, to zero when
 * idle, never down while another runner's busy mark is fresh.
 */
export type Scaler = {
  /** The replicas as last set or read (undefined before the first read). */
  replicas: () => number | undefined;
  /** Reads them from the Deployment (another runner may have changed them). */
  refresh: () => Promise<number | undefined>;
  set: (count: number) => Promise<void>;
  readonly inFlight: () => number;
  callStarted: () => void;
  /** A call ended; true when none is left. */
  callEnded: () => boolean;
  /** Starts the idle timer (when there are replicas and no calls). */
  armIdle: () => void;
  scaleToZero: () => Promise<void>;
  stop: () => void;
};

export type ScalerDeps = {
  readonly cluster: Cluster;
  readonly settings: KubernetesSiteSettings;
  readonly namespace: string;
  readonly name: string;
  readonly runnerId: string;
  /** Calls in flight per replica for this version. */
  readonly target: number;
  readonly endpoints: Endpoints;
  readonly onZero: () => void;
  readonly onEvent: (event: string, fields?: Record<string, unknown>) => void;
};

export function makeScaler(deps: ScalerDeps): Scaler {
  const { cluster, settings, namespace, name, endpoints } = deps;
  const demand = { target: deps.target, max: settings.maxReplicas };
  const failed = (event: string) => (error: unknown) => deps.onEvent(event, { error: (error as Error).message });
  let replicas: number | undefined;
  let inFlight = 0;
  let peak = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  let downTimer: NodeJS.Timeout | undefined;
  let markedAt = Number.NEGATIVE_INFINITY;

  const set = async (count: number) => {
    replicas = count;
    await cluster.scale(namespace, name, count);
  };
  /** While it has calls, this runner renews its busy mark (a third of the idle time before it would lapse). */
  const markBusy = () => {
    const wall = Date.now();
    if (wall - markedAt < settings.idleMs / 3) return;
    markedAt = wall;
    cluster.annotate(namespace, name, { [busyKeyOf(deps.runnerId)]: new Date(wall + settings.idleMs).toISOString() }).catch(failed('busy mark not set'));
  };
  /** Until when another runner is busy with the version; marks long past are removed. */
  const othersBusy = async (): Promise<number | undefined> => {
    const annotations = await cluster.annotationsOf(namespace, name);
    if (annotations === undefined) return undefined;
    const wall = Date.now();
    const stale = staleMarks(annotations, deps.runnerId, wall, settings.idleMs * 2);
    if (stale.length > 0) await cluster.annotate(namespace, name, Object.fromEntries(stale.map((key) => [key, null]))).catch(() => undefined);
    return othersBusyUntil(annotations, deps.runnerId, wall);
  };
  const stopTimers = () => {
    clearTimeout(idleTimer);
    clearInterval(downTimer);
    downTimer = undefined;
  };
  const scaleToZero = async () => {
    stopTimers();
    endpoints.closeAll();
    await set(0);
    deps.onZero();
    deps.onEvent('action deployment scaled to zero');
  };
  /** Idle here: to zero unless another runner is busy with it (then looked at again when its mark lapses). */
  const idle = async () => {
    const until = await othersBusy();
    if (inFlight > 0) return;
    if (until === undefined) return scaleToZero();
    idleTimer = setTimeout(() => void idle().catch(failed('scale to zero failed')), until - Date.now() + 100);
    idleTimer.unref();
  };
  /** Fewer replicas if the window's busiest moment needed fewer: the least busy pods stop taking calls and are marked to go. */
  const scaleDown = async () => {
    const current = replicas ?? 0;
    const to = scaleDownTo(current, peak, demand);
    peak = inFlight;
    if (to === undefined) return;
    // Another runner's calls may need the replicas: it scales down itself once it is done.
    if ((await othersBusy()) !== undefined) return;
    const victims = endpoints.drain(current - to);
    await Promise.all(victims.map((pod) => cluster.markForRemoval(namespace, pod).catch(() => undefined)));
    await set(to);
    deps.onEvent('action deployment scaled down', { replicas: to });
  };
  const scaleUp = () => {
    // From zero it is a cold start, the version's start's own.
    if ((replicas ?? 0) === 0) return;
    const to = scaleUpTo(replicas ?? 0, inFlight, demand);
    if (to === undefined) return;
    set(to).then(() => deps.onEvent('action deployment scaled up', { replicas: to, in_flight: inFlight }), failed('scale up failed'));
    downTimer ??= setInterval(() => void scaleDown().catch(failed('scale down failed')), settings.scaleDownEveryMs ?? Math.min(settings.idleMs, 60_000));
    downTimer.unref();
  };

  return {
    replicas: () => replicas,
    refresh: async () => (replicas = await cluster.replicasOf(namespace, name)),
    set,
    inFlight: () => inFlight,
    callStarted() {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      clearTimeout(idleTimer);
      markBusy();
      scaleUp();
    },
    callEnded() {
      inFlight -= 1;
      return inFlight === 0;
    },
    armIdle() {
      clearTimeout(idleTimer);
      if (inFlight > 0 || (replicas ?? 0) === 0) return;
      idleTimer = setTimeout(() => void idle().catch(failed('scale to zero failed')), settings.idleMs);
      idleTimer.unref();
    },
    scaleToZero,
    stop: stopTimers,
  };
}
