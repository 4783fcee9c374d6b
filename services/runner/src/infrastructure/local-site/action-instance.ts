import type { ActionVersionRef, SiteStats } from '../../application/site.js';
import { type LiveAction, stopLiveAction } from './action-process.js';
import { type Limiter, makeLimiter } from './limiter.js';

export type InstanceSettings = {
  /** Calls in flight at once; the rest wait in order. */
  readonly concurrency: number;
  readonly idleMs: number;
  readonly healthIntervalMs: number;
  readonly stopGraceMs: number;
  readonly now: () => number;
  readonly onEvent: (event: string, fields: Record<string, unknown>) => void;
};

/**
 * One action version's wrapper (a process here, or a container): at most one at a time, started on demand (the
 * prepare, or the next call after it was scaled to zero or crashed), health-checked while it
 * runs, stopped after `idleMs` without calls, or at once when released and idle.
 */
export type ActionInstance = {
  readonly limiter: Limiter;
  /** The live process, started first if there is none. Throws when it cannot start. */
  live: (cause: 'prepare' | 'call' | 'listen') => Promise<LiveAction>;
  /** A call begins (idle timer off) or ends (idle timer on when none is left). */
  busy: (delta: 1 | -1) => void;
  /** A trigger begins or stops listening on the process: it is not scaled to zero meanwhile, and it is no call. */
  hold: (delta: 1 | -1) => void;
  release: () => void;
  /** Stops the process now, as the idle timer would (the next call cold-starts it); not while a call is in flight. */
  scaleToZero: () => Promise<ScaleOutcome>;
  /** Kills this process at once (its calls in flight fail); the next call starts another. */
  retire: (live: LiveAction) => void;
  stop: () => Promise<void>;
  stats: () => SiteStats;
  processLog: () => string;
  /** The pid of the wrapper process while one is ready. */
  pid: () => number | undefined;
};

/** `stopped`: its process was stopped; `busy`: a call is in flight, nothing stopped; `not_running`: no process to stop. */
export type ScaleOutcome = 'stopped' | 'busy' | 'not_running';

/** Starts a wrapper for the version and checks its Init (throws when it cannot). */
export type Launch = () => Promise<LiveAction>;

export function makeActionInstance(action: ActionVersionRef, launch: Launch, settings: InstanceSettings): ActionInstance {
  const limiter = makeLimiter(settings.concurrency);
  let current: Promise<LiveAction> | undefined;
  let ready: LiveAction | undefined;
  let state: SiteStats['state'] = 'stopped';
  let inFlight = 0;
  let listening = 0;
  let released = false;
  let idleTimer: NodeJS.Timeout | undefined;
  let healthTimer: NodeJS.Timeout | undefined;
  let lastLog = '';
  const counts = { coldStarts: 0, lastColdStartMs: null as number | null, restarts: 0 };
  const name = `${action.actionId}@${action.version}`;

  const stopTimers = () => {
    clearTimeout(idleTimer);
    clearInterval(healthTimer);
  };
  const onExit = (live: LiveAction) => {
    if (ready === live) {
      ready = undefined;
      current = undefined;
      clearInterval(healthTimer);
    }
    lastLog = live.process.log();
    if (live.stopping) return;
    live.crashed = true;
    for (const call of live.calls) call.abort(new Error('the action process died'));
    state = 'crashed';
    live.client.close();
    void live.process.stop(0); // whatever it left in its process group
    settings.onEvent('action process crashed', { action: name, pid: live.process.pid, log_tail: lastLog.slice(-1000) });
  };
  /**
   * Health while no call is in flight (a call's own deadline covers a process that hangs in it, and
   * a handler busy computing must not be mistaken for a dead one): two failures in a row kill the
   * process, which then counts as a crash.
   */
  let unhealthy = 0;
  const checkHealth = (live: LiveAction) => async () => {
    if (live.calls.size > 0) return;
    const health = await live.client.health(Math.max(1000, settings.healthIntervalMs / 2));
    if (live.stopping || live.crashed || ready !== live) return;
    unhealthy = health.ok || live.calls.size > 0 ? 0 : unhealthy + 1;
    if (health.ok || unhealthy < 2) return;
    settings.onEvent('action process failed its health check', { action: name, pid: live.process.pid, error: health.error.message });
    live.process.stop(0).catch(() => undefined);
  };
  const start = async (cause: 'prepare' | 'call' | 'listen'): Promise<LiveAction> => {
    const before = state;
    state = 'starting';
    const started = settings.now();
    let live: LiveAction;
    try {
      live = await launch();
    } catch (error) {
      state = before === 'starting' ? 'stopped' : before;
      current = undefined;
      throw error;
    }
    const tookMs = Math.round(settings.now() - started);
    if (before === 'crashed') counts.restarts += 1;
    else if (cause === 'call') {
      counts.coldStarts += 1;
      counts.lastColdStartMs = tookMs;
    }
    ready = live;
    state = 'ready';
    unhealthy = 0;
    void live.process.exited.then(() => onExit(live));
    healthTimer = setInterval(() => void checkHealth(live)(), settings.healthIntervalMs);
    healthTimer.unref();
    settings.onEvent('action process started', { action: name, pid: live.process.pid, cause, restart: before === 'crashed', duration_ms: tookMs });
    armIdle();
    return live;
  };
  const scaleToZero = async (to: 'idle' | 'stopped') => {
    stopTimers();
    const stopping = current;
    current = undefined;
    ready = undefined;
    const live = await stopping?.catch(() => undefined);
    if (live !== undefined) {
      lastLog = live.process.log();
      await stopLiveAction(live, settings.stopGraceMs);
    }
    if (state !== 'crashed' || to === 'stopped') state = to;
  };
  const armIdle = () => {
    clearTimeout(idleTimer);
    if (inFlight > 0 || listening > 0 || ready === undefined) return;
    idleTimer = setTimeout(() => void scaleToZero(released ? 'stopped' : 'idle'), released ? 0 : settings.idleMs);
    idleTimer.unref();
  };

  return {
    limiter,
    retire: (live) => {
      if (ready === live) {
        ready = undefined;
        current = undefined;
        clearInterval(healthTimer);
      }
      live.stopping = true;
      void live.process.stop(0);
    },
    live: (cause) => {
      if (cause === 'prepare') released = false;
      return (current ??= start(cause));
    },
    busy: (delta) => {
      inFlight += delta;
      if (delta > 0) clearTimeout(idleTimer);
      else armIdle();
    },
    hold: (delta) => {
      listening += delta;
      if (delta > 0) clearTimeout(idleTimer);
      else armIdle();
    },
    release: () => {
      released = true;
      armIdle();
    },
    scaleToZero: async () => {
      if (inFlight > 0 || listening > 0) return 'busy';
      if (current === undefined) return 'not_running';
      await scaleToZero(released ? 'stopped' : 'idle');
      return 'stopped';
    },
    stop: () => scaleToZero('stopped'),
    stats: () => ({
      projectId: action.projectId, actionVersion: name, digest: action.digest, state, processes: ready === undefined ? 0 : 1, inFlight,
      coldStarts: counts.coldStarts, lastColdStartMs: counts.lastColdStartMs, restarts: counts.restarts,
    }),
    processLog: () => ready?.process.log() ?? lastLog,
    pid: () => ready?.process.pid,
  };
}
