import type { JsonValue } from '@trellis/kernel/io';
import type { SiteName } from '../domain/deployment.js';
import { maskSecretsIn } from '../domain/secret-mask.js';
import * as Trigger from '../domain/trigger-action.js';
import type { TriggerCursorScope } from '../domain/trigger-cursor.js';
import { actionRef } from './action-refs.js';
import type { Engine } from './engine-port.js';
import type { ProjectValues } from './ports.js';
import type { EventOutcome, TriggerEvent, TriggerSite } from './trigger-site.js';

/*
 * One deployed workflow's Trigger action, supervised (docs/runner.md, "Trigger actions"): it
 * listens with its inputs rendered from the project's values, each event it emits becomes one
 * run, and when it stops (its stream ends or fails, its process dies, its inputs cannot be
 * rendered) it starts again after a growing delay. An event is accepted once engine.start has
 * committed its run, and only then told so (the trigger's emit resolves, a broker trigger acks
 * its broker); a start that fails on the world is tried again with the same idempotency key, so
 * an event never starts two runs. Each listen starts with the newest accepted event's outputs
 * (`lastEvent`), so a polling trigger resumes from its cursor: that of an earlier version of the
 * workflow too, when its trigger was the same action with the same inputs (trigger-cursor.ts).
 */

export type TriggerLog = { info: (message: string, fields: Record<string, unknown>) => unknown; warn: (message: string, fields: Record<string, unknown>) => unknown };

export type TriggerStatus = {
  readonly status: 'starting' | 'listening' | 'restarting' | 'failed';
  /** Starts after the first (each stop of the trigger, whatever the cause). */
  readonly restarts: number;
  readonly lastError: string | null;
  /** Runs started from its events (by this process, since it took the workflow). */
  readonly events: number;
  /** Events refused (outputs that do not fit the declaration). */
  readonly refused: number;
  readonly pid: number | null;
};

export type TriggerTarget = {
  readonly projectId: string;
  readonly workflowId: string;
  readonly version: number;
  readonly site: SiteName;
  readonly trigger: Trigger.TriggerAction;
};

export type TriggerListenerDeps = {
  site: TriggerSite;
  engine: Pick<Engine, 'start'>;
  values: ProjectValues;
  /**
   * The trigger outputs of the newest run a trigger event of this workflow started under any of
   * its versions whose trigger has this cursor scope (the same action and inputs), or null.
   */
  lastEvent: (workflowId: string, scope: TriggerCursorScope) => Promise<Readonly<Record<string, JsonValue>> | null>;
  ids: () => string;
  now: () => number;
  log: TriggerLog;
  /** Waits `ms` or until `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  backoff?: { readonly baseMs: number; readonly maxMs: number; readonly healthyMs: number };
};

/** A start of a run that failed on the world (or found the engine overloaded) is tried again after this long, doubling to the trigger's max. */
const START_RETRY_MS = 200;

export type RunningTriggerListener = { status: () => TriggerStatus; stop: () => Promise<void> };

export function superviseTrigger(deps: TriggerListenerDeps, target: TriggerTarget): RunningTriggerListener {
  const backoff = deps.backoff ?? Trigger.RESTART_BACKOFF;
  const controller = new AbortController();
  const { signal } = controller;
  const fields = { workflow_id: target.workflowId, version: target.version, action: `${target.trigger.action.actionId}@${target.trigger.action.version}` };
  let status: TriggerStatus = { status: 'starting', restarts: 0, lastError: null, events: 0, refused: 0, pid: null };
  const set = (change: Partial<TriggerStatus>) => {
    status = { ...status, ...change };
  };
  // The secrets the trigger was last given: what it says (its errors, why it stopped) is shown in
  // the deployments view and logged, so they are masked there as in a step's logs.
  let given: string[] = [];
  const masked = (text: string) => maskSecretsIn(text, given);

  /** The run of one event, started (and committed) before the next slot frees; gives up only when the listener stops or the workflow no longer serves. */
  const startRun = async (listenId: string, event: TriggerEvent): Promise<EventOutcome> => {
    const outputs = Trigger.eventOutputs(target.trigger.action.outputs, event.outputs);
    if (!outputs.ok) {
      set({ refused: status.refused + 1, lastError: masked(`an event was refused: ${outputs.error}`) });
      deps.log.warn('trigger event refused: its outputs do not fit the declaration', { ...fields, event: event.runId, error: masked(outputs.error) });
      return { kind: 'refused', reason: `its outputs do not fit the declaration: ${outputs.error}` };
    }
    const request = {
      projectId: target.projectId, workflowId: target.workflowId, triggerType: 'action' as const, triggerOutputs: outputs.value,
      idempotencyKey: Trigger.eventKey(listenId, event.runId), traceId: deps.ids(),
    };
    for (let wait = START_RETRY_MS; !signal.aborted; wait = Math.min(backoff.maxMs, wait * 2)) {
      try {
        const started = await deps.engine.start(request);
        if (started.ok) {
          set({ events: status.events + 1 });
          return { kind: 'accepted' };
        }
        // Not serving: the workflow is being undeployed or replaced, and this listener is about to
        // be stopped. Unanswered, not refused: the event is not the trigger's fault, a broker keeps it.
        if (started.error.type === 'NotServing') return { kind: 'unanswered' };
      } catch (error) {
        deps.log.warn('trigger event: the run could not be started; trying again', { ...fields, event: event.runId, error: (error as Error).message, retry_in_ms: wait });
      }
      await deps.sleep(wait, signal);
    }
    return { kind: 'unanswered' };
  };

  const listenOnce = async (): Promise<string | undefined> => {
    const [variables, secrets] = await Promise.all([
      deps.values.variables(target.projectId),
      Promise.all(target.trigger.secrets.map(async (name) => [name, await deps.values.secret(target.projectId, name)] as const)),
    ]);
    const opened = new Map(secrets);
    given = [...opened.values()].filter((value): value is string => typeof value === 'string');
    const inputs = Trigger.listenInputs(target.trigger, { variables: new Map(Object.entries(variables)) as Map<string, JsonValue>, secret: (name) => opened.get(name) });
    if (!inputs.ok) {
      set({ status: 'failed' });
      return `its inputs cannot be given: ${inputs.error.message}`;
    }
    const listenId = `${target.workflowId}:${deps.ids()}`;
    const lastEvent = await deps.lastEvent(target.workflowId, target.trigger.cursor);
    const end = await deps.site.listen(actionRef(target.projectId, target.trigger.action, target.site), { listenId, inputs: inputs.value, lastEvent }, {
      onListening: (pid) => {
        set({ status: 'listening', pid: pid ?? null });
        deps.log.info('trigger listening', { ...fields, pid, restarts: status.restarts });
      },
      onEvent: (event) => startRun(listenId, event),
      onTriggerError: (error) => {
        set({ lastError: masked(`${error.code}: ${error.message}`) });
        deps.log.warn('trigger reported an error', { ...fields, code: error.code, error: masked(error.message) });
      },
    }, signal);
    return end.kind === 'stopped' ? undefined : masked(end.message);
  };

  const loop = (async () => {
    let failures = 0;
    while (!signal.aborted) {
      const began = deps.now();
      let why: string | undefined;
      try {
        why = await listenOnce();
      } catch (error) {
        why = masked(`it could not listen: ${(error as Error).message}`);
      }
      if (signal.aborted) break;
      failures = Trigger.failuresAfter(failures, deps.now() - began, backoff.healthyMs);
      const delay = Trigger.restartDelayMs(failures, backoff);
      set({ status: status.status === 'failed' ? 'failed' : 'restarting', restarts: status.restarts + 1, lastError: why ?? 'it stopped', pid: null });
      deps.log.warn('trigger stopped; it starts again', { ...fields, error: why, restart_in_ms: delay, restarts: status.restarts });
      await deps.sleep(delay, signal);
    }
  })();

  return {
    status: () => status,
    stop: async () => {
      controller.abort();
      await loop;
      deps.log.info('trigger stopped listening', fields);
    },
  };
}
