import type { JsonValue } from '@trellis/kernel/io';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import { readDocument } from '@trellis/workflow-language/document';
import { nextFireTimes } from '@trellis/workflow-language/schedule';
import { parseTemplate, type Template } from '@trellis/workflow-language/template';
import { renderResults } from './inputs.js';

/*
 * The state of a deployed schedule trigger: when it fires next (`nextTickAt`) and when it last
 * fired. Fire times come from the cron in its time zone (croner, DST-correct: a fall-back hour
 * does not fire twice). A tick is *late* while it is less than the misfire threshold old (a busy
 * or restarting runner): it fires. An older tick was *missed* (nothing ran the schedule): the
 * workflow's policy says whether any of them fire (`catch_up`, at most `catchUpLimit`, the most
 * recent) or none (`skip`). As Quartz's misfire threshold does.
 */

export type MissedPolicy = 'skip' | 'catch_up';

export type Schedule = {
  readonly workflowId: string;
  readonly projectId: string;
  /** The serving version whose trigger this is. */
  readonly version: number;
  readonly cron: string;
  readonly timezone: string;
  readonly missed: MissedPolicy;
  readonly catchUpLimit: number;
  /** The trigger's `inputs`: each run's trigger outputs. */
  readonly inputs: Readonly<Record<string, JsonValue>>;
  /** The first tick not fired yet. */
  readonly nextTickAt: Date;
  readonly lastTickAt: Date | null;
};

export type ScheduleTrigger = Pick<Schedule, 'cron' | 'timezone' | 'missed' | 'catchUpLimit' | 'inputs'>;

/** The schedule trigger of a version's document (JSON text), if its trigger is one. */
export function scheduleTriggerOf(documentJson: string): ScheduleTrigger | undefined {
  const trigger = readDocument(JSON.parse(documentJson) as JsonValue).trigger;
  if (trigger?.type !== 'schedule') return undefined;
  return { cron: trigger.cron, timezone: trigger.timezone, missed: trigger.missed, catchUpLimit: trigger.catchUpLimit, inputs: trigger.inputs };
}

/**
 * A version with a schedule trigger starts serving. A redeploy with the same cron and time zone
 * keeps the ticks where they were (none fires twice or is lost); a new cron starts from its
 * first tick after `now`.
 */
export function serve(current: Schedule | undefined, target: Pick<Schedule, 'workflowId' | 'projectId' | 'version'>, trigger: ScheduleTrigger, now: Date): Schedule {
  const sameTimes = current !== undefined && current.cron === trigger.cron && current.timezone === trigger.timezone;
  return {
    ...target, ...trigger,
    nextTickAt: sameTimes ? current.nextTickAt : firstAfter(trigger, now),
    lastTickAt: sameTimes ? current.lastTickAt : null,
  };
}

/**
 * A tick's trigger outputs: the trigger's `inputs`, `${{ vars.NAME }}` read from the project's
 * variables as the tick fires (nothing else is in scope: a schedule has no run yet, and its
 * inputs hold no secret). A value that cannot be rendered says why.
 */
export function tickOutputs(inputs: Readonly<Record<string, JsonValue>>, variables: ReadonlyMap<string, JsonValue>): Result<Record<string, JsonValue>, string> {
  const templates = new Map<string, Template>();
  for (const [name, value] of Object.entries(inputs)) {
    const parsed = parseTemplate(value);
    if (!parsed.ok) return rejected(`${name}: ${parsed.errors[0]?.message ?? 'the value does not parse'}`);
    templates.set(name, parsed.template);
  }
  const rendered = renderResults({ results: templates }, { trigger: {}, steps: new Map(), variables, secret: () => undefined });
  return rendered.ok ? ok(rendered.value) : rejected(rendered.error.message);
}

export type DueTicks = {
  /** The ticks to fire now, oldest first. */
  readonly fire: readonly Date[];
  /** The missed ticks left unfired (by `skip`, or beyond the catch-up limit): from, until (exclusive). */
  readonly dropped: { readonly from: Date; readonly until: Date } | undefined;
  /** The first tick after `now`: where the schedule goes on. */
  readonly nextTickAt: Date;
};

/** Bounds the ticks fired late in one pass (a misfire threshold far longer than the schedule's period). */
const MAX_LATE_TICKS = 1000;

/** Which ticks fire at `now`, by the schedule's policy; undefined when none is due yet. */
export function dueTicks(schedule: Schedule, now: Date, options: { misfireMs: number }): DueTicks | undefined {
  if (schedule.nextTickAt.getTime() > now.getTime()) return undefined;
  const lateFrom = new Date(Math.max(schedule.nextTickAt.getTime(), now.getTime() - options.misfireMs));
  const late = ticksBetween(schedule, lateFrom, now, MAX_LATE_TICKS);
  // nextTickAt is a tick: when it is older than the threshold, the ticks up to lateFrom were missed.
  const anyMissed = schedule.nextTickAt.getTime() < lateFrom.getTime();
  const caughtUp = anyMissed && schedule.missed === 'catch_up' ? lastTicksBefore(schedule, lateFrom, schedule.catchUpLimit) : [];
  const firstCaught = caughtUp[0];
  const dropped = anyMissed && (firstCaught === undefined || firstCaught.getTime() > schedule.nextTickAt.getTime())
    ? { from: schedule.nextTickAt, until: firstCaught ?? lateFrom } : undefined;
  return { fire: [...caughtUp, ...late], dropped, nextTickAt: firstAfter(schedule, now) };
}

/** The first tick strictly after `after`. */
function firstAfter(schedule: Pick<Schedule, 'cron' | 'timezone'>, after: Date): Date {
  const [next] = nextFireTimes(schedule.cron, schedule.timezone, after, 1);
  if (next === undefined) throw new Error(`the schedule "${schedule.cron}" has no tick after ${after.toISOString()}`);
  return next;
}

/** The ticks in [from, until], oldest first: the first `max` of them, or (`keep: 'last'`) the last `max`. */
function ticksBetween(schedule: Pick<Schedule, 'cron' | 'timezone'>, from: Date, until: Date, max: number, keep: 'first' | 'last' = 'first'): Date[] {
  const ticks: Date[] = [];
  for (let after = new Date(from.getTime() - 1); ; ) {
    const batch = nextFireTimes(schedule.cron, schedule.timezone, after, 100);
    for (const tick of batch) {
      if (tick.getTime() > until.getTime()) return ticks;
      ticks.push(tick);
      if (ticks.length > max) {
        if (keep === 'first') return ticks.slice(0, max);
        ticks.shift();
      }
    }
    const last = batch.at(-1);
    if (last === undefined) return ticks;
    after = last;
  }
}

/**
 * The last `count` ticks in [schedule.nextTickAt, before): looks back over a window that doubles
 * (from a minute) until it holds enough, so a long outage of an every-second schedule is not
 * walked from its start.
 */
function lastTicksBefore(schedule: Schedule, before: Date, count: number): Date[] {
  const start = schedule.nextTickAt.getTime();
  for (let windowMs = 60_000; ; windowMs *= 2) {
    const from = Math.max(start, before.getTime() - windowMs);
    const ticks = ticksBetween(schedule, new Date(from), new Date(before.getTime() - 1), count, 'last');
    if (ticks.length >= count || from === start) return ticks;
  }
}
