import type { ActionVersionRef, SiteStats } from '../../application/site.js';
import type { ActionInstance, ScaleOutcome } from '../local-site/action-instance.js';

/**
 * The containers of one action version (and resource profile): one at first, more while every
 * live one has all its call slots taken, up to `max`; each stops after its idle time. An
 * instance is one container at a time (a crashed one is replaced by the next call).
 */
export type InstancePool = {
  /** Where the next call goes: a live container with a free slot, else a stopped one, else a new one while under `max`, else the shortest queue. */
  pick: () => ActionInstance;
  /** The first instance (prepare and trigger listens use it). */
  first: () => ActionInstance;
  release: () => void;
  scaleToZero: () => Promise<ScaleOutcome>;
  stop: () => Promise<void>;
  stats: () => SiteStats;
  /** What its containers wrote outside executions, the last one's last. */
  processLog: () => string;
};

export function makeInstancePool(action: ActionVersionRef, make: () => ActionInstance, settings: { readonly max: number; readonly concurrency: number }): InstancePool {
  const instances: ActionInstance[] = [];
  const add = () => {
    const instance = make();
    instances.push(instance);
    return instance;
  };
  const hasSlot = (instance: ActionInstance) => instance.limiter.running < settings.concurrency;
  // A container starting counts as live: calls join it rather than each start one more.
  const isLive = (instance: ActionInstance) => ['ready', 'starting'].includes(instance.stats().state);
  return {
    pick: () => instances.find((instance) => isLive(instance) && hasSlot(instance))
      ?? instances.find(hasSlot)
      ?? (instances.length < settings.max ? add() : [...instances].sort((a, b) => a.limiter.queued + a.limiter.running - (b.limiter.queued + b.limiter.running))[0] ?? add()),
    first: () => instances[0] ?? add(),
    release: () => {
      for (const instance of instances) instance.release();
    },
    scaleToZero: async () => {
      const outcomes = await Promise.all(instances.map((instance) => instance.scaleToZero()));
      return outcomes.includes('busy') ? 'busy' : outcomes.includes('stopped') ? 'stopped' : 'not_running';
    },
    stop: async () => {
      await Promise.all(instances.map((instance) => instance.stop()));
    },
    processLog: () => instances.map((instance) => instance.processLog()).filter((log) => log !== '').join('\n'),
    stats: () => {
      const all = instances.map((instance) => instance.stats());
      const states = all.map((stats) => stats.state);
      const sum = (pick: (stats: SiteStats) => number) => all.reduce((total, stats) => total + pick(stats), 0);
      const lastColdStarts = all.map((stats) => stats.lastColdStartMs).filter((ms): ms is number => ms !== null);
      return {
        projectId: action.projectId, actionVersion: `${action.actionId}@${action.version}`, digest: action.digest,
        state: states.includes('ready') ? 'ready' : states.includes('starting') ? 'starting' : states.includes('crashed') ? 'crashed' : states.includes('idle') ? 'idle' : 'stopped',
        processes: sum((stats) => stats.processes), inFlight: sum((stats) => stats.inFlight), coldStarts: sum((stats) => stats.coldStarts),
        lastColdStartMs: lastColdStarts.at(-1) ?? null, restarts: sum((stats) => stats.restarts),
      };
    },
  };
}
