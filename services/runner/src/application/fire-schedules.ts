import type { JsonValue } from '@trellis/kernel/io';
import type { Clock } from '@trellis/kernel/ports';
import * as Schedule from '../domain/schedule.js';
import type { Engine } from './engine-port.js';
import type { ProjectValues } from './ports.js';

/** The schedules as the scheduler reads and moves them (outside any transaction: runs start in between). */
export type ScheduleStore = {
  /** The schedules whose next tick is at or before `now`, the most overdue first, at most `limit`. */
  due: (now: Date, limit: number) => Promise<Schedule.Schedule[]>;
  /** Moves the schedule on from `from` (its next tick as read); false when another process or a redeploy moved it first. */
  advance: (workflowId: string, from: Date, to: { nextTickAt: Date; lastTickAt: Date | null }) => Promise<boolean>;
  /** The earliest next tick of all schedules. */
  earliest: () => Promise<Date | undefined>;
};

export type ScheduleLog = { info: (message: string, fields: Record<string, unknown>) => unknown; warn: (message: string, fields: Record<string, unknown>) => unknown };

export type FireSchedulesDeps = {
  store: ScheduleStore;
  engine: Pick<Engine, 'start'>;
  /** The project's variables, as a tick's inputs read them. */
  values: Pick<ProjectValues, 'variables'>;
  clock: Clock;
  /** The run id of a tick: the same for the same workflow and instant, in every process. */
  runIdOf: (workflowId: string, tick: Date) => string;
  log: ScheduleLog;
  /** How late a tick may fire before it counts as missed (domain/schedule.ts). */
  misfireMs: number;
};

/** The idempotency key of a tick's run: the runs' unique index makes it fire once, whoever fires it. */
export const tickKey = (tick: Date): string => `schedule:${tick.toISOString()}`;

/** The tick a schedule run was fired for, read back from its idempotency key (undefined for any other key). */
export function tickOfKey(key: string | null): Date | undefined {
  if (key === null || !key.startsWith('schedule:')) return undefined;
  const tick = new Date(key.slice('schedule:'.length));
  return Number.isNaN(tick.getTime()) ? undefined : tick;
}

/** Schedules handled per pass; a full pass runs again at once. */
const BATCH = 100;

/**
 * One pass of a scheduler: each due schedule's ticks (by its missed policy) start their runs, in
 * order, then the schedule moves on to its next tick. A tick's run has an id and idempotency key
 * of its own, so two processes firing the same tick (or one firing it again after a crash between
 * the start and the move) make one run. A schedule that stops serving under it is left as it is.
 * True when the pass was full: there may be more.
 */
export async function fireDueSchedules(deps: FireSchedulesDeps): Promise<{ fired: number; more: boolean; stopping: boolean }> {
  const now = deps.clock();
  const due = await deps.store.due(now, BATCH);
  let fired = 0;
  for (const schedule of due) {
    const outcome = await fireSchedule(deps, schedule, now);
    if (outcome === 'stopping') return { fired, more: false, stopping: true };
    fired += outcome;
  }
  return { fired, more: due.length >= BATCH, stopping: false };
}

/** One schedule's due ticks, then its move to the next one; how many runs it started (or asked for). */
async function fireSchedule(deps: FireSchedulesDeps, schedule: Schedule.Schedule, now: Date): Promise<number | 'stopping'> {
  const plan = Schedule.dueTicks(schedule, now, { misfireMs: deps.misfireMs });
  if (!plan) return 0;
  const fields = { workflow_id: schedule.workflowId, policy: schedule.missed };
  if (plan.dropped) deps.log.warn('missed schedule ticks not fired', { ...fields, from: plan.dropped.from.toISOString(), until: plan.dropped.until.toISOString() });
  let fired: readonly Date[] = [];
  if (plan.fire.length > 0) {
    const outputs = Schedule.tickOutputs(schedule.inputs, new Map(Object.entries(await deps.values.variables(schedule.projectId))));
    if (outputs.ok) {
      const outcome = await fireTicks(deps, schedule, outputs.value, plan.fire);
      if (outcome !== 'fired') return outcome === 'stopping' ? 'stopping' : 0;
      fired = plan.fire;
    } else {
      // The schedule moves on all the same: a variable set later gives the next ticks their runs.
      deps.log.warn('schedule ticks start no run: the trigger\'s inputs cannot be given', { ...fields, reason: outputs.error, ticks: plan.fire.length });
    }
  }
  await deps.store.advance(schedule.workflowId, schedule.nextTickAt, { nextTickAt: plan.nextTickAt, lastTickAt: fired.at(-1) ?? schedule.lastTickAt });
  return fired.length;
}

async function fireTicks(
  deps: FireSchedulesDeps, schedule: Schedule.Schedule, triggerOutputs: Readonly<Record<string, JsonValue>>, ticks: readonly Date[],
): Promise<'fired' | 'not_serving' | 'stopping'> {
  for (const tick of ticks) {
    const runId = deps.runIdOf(schedule.workflowId, tick);
    const started = await deps.engine.start({
      projectId: schedule.projectId, workflowId: schedule.workflowId, triggerType: 'schedule', triggerOutputs,
      idempotencyKey: tickKey(tick), runId, traceId: runId.replaceAll('-', ''),
    });
    if (!started.ok) {
      if (started.error.type === 'Overloaded') return 'stopping';
      deps.log.warn('a schedule tick found its workflow not serving; the schedule stays', { workflow_id: schedule.workflowId, tick: tick.toISOString() });
      return 'not_serving';
    }
    // Nothing here waits for the run's end (it is recorded like any other run).
    started.value.finished.catch(() => undefined);
    if (!started.value.existing) deps.log.info('schedule tick fired', { workflow_id: schedule.workflowId, tick: tick.toISOString(), run_id: started.value.runId });
  }
  return 'fired';
}
