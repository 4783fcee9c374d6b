import type { PinnedAction, SiteName } from '../domain/deployment.js';
import * as Trigger from '../domain/trigger-action.js';
import { superviseTrigger, type RunningTriggerListener, type TriggerListenerDeps, type TriggerStatus } from './trigger-listener.js';

/*
 * The Trigger actions this runner process listens for: every workflow that serves a version
 * whose trigger is an action, and whose lock this process holds (so that two replicas never
 * both listen and double the events). `reconcile` is called with what the database says serves
 * (on every change of the deployments, and every few seconds): a new or redeployed workflow
 * starts listening (the old version's listener stopped first), an undeployed one stops.
 */

/** A served workflow version whose trigger is an action. */
export type ServedTrigger = {
  readonly projectId: string;
  readonly workflowId: string;
  readonly version: number;
  readonly documentJson: string;
  readonly actions: readonly PinnedAction[];
  readonly site: SiteName;
};

/** One lock per workflow, held by one runner process at a time (released when it dies). */
export type TriggerLocks = {
  /** True when this process holds the workflow's lock now (taken now, or held already). */
  take: (workflowId: string) => Promise<boolean>;
  release: (workflowId: string) => Promise<void>;
  /** False when the locks held may have been lost (their connection died): every listener stops. */
  alive: () => Promise<boolean>;
};

export type TriggerListeners = {
  reconcile: (served: readonly ServedTrigger[]) => Promise<void>;
  /** What the workflow's trigger does here; undefined when this process does not listen for it. */
  status: (workflowId: string) => TriggerStatus | undefined;
  stop: () => Promise<void>;
};

type Listening = { readonly version: number; readonly listener: RunningTriggerListener };

export function makeTriggerListeners(deps: TriggerListenerDeps & { locks: TriggerLocks }): TriggerListeners {
  const listening = new Map<string, Listening>();
  /** Versions whose trigger cannot run (logged once each): nothing listens for them. */
  const refused = new Set<string>();
  let stopped = false;

  const stopOne = async (workflowId: string) => {
    const current = listening.get(workflowId);
    if (!current) return;
    listening.delete(workflowId);
    await current.listener.stop();
    await deps.locks.release(workflowId);
  };

  const startOne = async (served: ServedTrigger) => {
    const trigger = Trigger.triggerActionOf(served.documentJson, served.actions);
    if (trigger === undefined) return;
    if (!trigger.ok) {
      const key = `${served.workflowId}@${served.version}`;
      if (!refused.has(key)) deps.log.warn('trigger action cannot run', { workflow_id: served.workflowId, version: served.version, error: Trigger.describeTriggerActionError(trigger.error) });
      refused.add(key);
      return;
    }
    if (!(await deps.locks.take(served.workflowId))) return; // another runner process listens
    if (stopped) return deps.locks.release(served.workflowId);
    const listener = superviseTrigger(deps, { projectId: served.projectId, workflowId: served.workflowId, version: served.version, site: served.site, trigger: trigger.value });
    listening.set(served.workflowId, { version: served.version, listener });
  };

  let turn: Promise<void> = Promise.resolve();
  /** One reconcile at a time, in call order. */
  const serially = (work: () => Promise<void>) => {
    const next = turn.then(work);
    turn = next.catch(() => undefined);
    return next;
  };

  return {
    reconcile: (served) => serially(async () => {
      if (stopped) return;
      if (!(await deps.locks.alive())) {
        for (const workflowId of [...listening.keys()]) await stopOne(workflowId);
      }
      const wanted = new Map(served.map((item) => [item.workflowId, item]));
      for (const [workflowId, current] of [...listening]) {
        if (wanted.get(workflowId)?.version !== current.version) await stopOne(workflowId);
      }
      for (const item of wanted.values()) if (!listening.has(item.workflowId)) await startOne(item);
    }),
    status: (workflowId) => listening.get(workflowId)?.listener.status(),
    stop: () => {
      stopped = true;
      return serially(async () => {
        await Promise.all([...listening.keys()].map(stopOne));
      });
    },
  };
}
