// Cron schedules of scheduled triggers, in a time zone. Croner computes the fire times; this module
// first checks the pattern against the classic cron syntax, so a schedule means the same thing to
// a user who knows cron, to studio and to the runner.
//
// Accepted: 5 fields (minute hour day-of-month month day-of-week) or 6 (a seconds field first).
// Each field is `*`, or a comma list of values and ranges `a-b`, each of them (and `*`) with an
// optional step `/n`. Months may be written JAN-DEC, week days SUN-SAT (any case); Sunday is 0 or 7.
// As in classic cron, when both day-of-month and day-of-week are restricted a day matching either
// fires. Refused: 7 fields (years), nicknames (@daily), and croner's extensions L, W, # and ?.
//
// Daylight saving time: a schedule whose seconds, minutes and hours are single values (`30 2 * * *`)
// fires once a day even when that local time happens twice (fall back), and at the first time after
// the gap when it does not exist (spring forward: 03:00 instead of 02:30). Other schedules follow
// the wall clock: times in the gap do not exist, a repeated time fires on both occurrences.
import { Cron } from 'croner';

export type ScheduleCheck = { readonly ok: true } | { readonly ok: false; readonly code: 'bad_cron' | 'bad_timezone'; readonly reason: string };

type Field = { readonly name: string; readonly min: number; readonly max: number; readonly names?: readonly string[] };

const SECOND: Field = { name: 'second', min: 0, max: 59 };
const MINUTE: Field = { name: 'minute', min: 0, max: 59 };
const HOUR: Field = { name: 'hour', min: 0, max: 23 };
const DAY: Field = { name: 'day of month', min: 1, max: 31 };
const MONTH: Field = { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] };
const WEEKDAY: Field = { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] };

const FIVE = [MINUTE, HOUR, DAY, MONTH, WEEKDAY];
const SIX = [SECOND, ...FIVE];

const bad = (reason: string): ScheduleCheck => ({ ok: false, code: 'bad_cron', reason });

/** 5 fields (minute precision) or 6 (seconds first); time zone an IANA name (default 'UTC'). */
export function checkSchedule(cron: string, timezone = 'UTC'): ScheduleCheck {
  const zone = checkTimezone(timezone);
  if (!zone.ok) return zone;
  const syntax = checkSyntax(cron);
  if (!syntax.ok) return syntax;
  let job: Cron;
  try {
    job = makeCron(cron, timezone);
  } catch (error) {
    return bad(`croner refuses the schedule: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Any day that exists comes back within eight years (a 29 February included).
  if (job.nextRun(new Date(Date.UTC(2000, 0, 1))) === null) return bad(`"${cron}" never fires: no day matches it`);
  return { ok: true };
}

/**
 * The next `count` fire times strictly after `after`, in the zone (DST-correct: a fall-back hour
 * fires once). Throws on a schedule that `checkSchedule` refuses: check it first.
 */
export function nextFireTimes(cron: string, timezone: string, after: Date, count: number): Date[] {
  const check = checkSchedule(cron, timezone);
  if (!check.ok) throw new Error(`Cannot compute fire times of an invalid schedule: ${check.reason}`);
  if (count <= 0) return [];
  return makeCron(cron, timezone).nextRuns(count, after);
}

function makeCron(cron: string, timezone: string): Cron {
  // No callback: croner only computes, it schedules nothing.
  return new Cron(cron.trim(), { timezone, mode: cron.trim().split(/\s+/).length === 6 ? '6-part' : '5-part', domAndDow: false, paused: true });
}

function checkTimezone(timezone: string): ScheduleCheck {
  const refused: ScheduleCheck = {
    ok: false,
    code: 'bad_timezone',
    reason: `"${timezone}" is not a time zone: write an IANA time zone name such as UTC, Europe/Paris or America/New_York`,
  };
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(timezone)) return refused;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return { ok: true };
  } catch {
    return refused;
  }
}

function checkSyntax(cron: string): ScheduleCheck {
  const text = cron.trim();
  if (text === '') return bad('the schedule is empty: write 5 fields (minute hour day-of-month month day-of-week)');
  if (text.startsWith('@')) return bad(`nicknames like ${text.split(/\s/)[0]} are not supported: write the 5 fields (for @daily: 0 0 * * *)`);
  const parts = text.split(/\s+/);
  if (parts.length === 7) return bad('7 fields (a year field) are not supported: write 5 fields, or 6 with seconds first');
  if (parts.length !== 5 && parts.length !== 6) {
    return bad(`a schedule has 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), not ${parts.length}`);
  }
  const fields = parts.length === 6 ? SIX : FIVE;
  for (const [index, part] of parts.entries()) {
    const field = fields[index];
    if (field === undefined) continue;
    const problem = checkField(part, field);
    if (problem !== undefined) return bad(`${field.name} field "${part}": ${problem}`);
  }
  return { ok: true };
}

/** Why one field is refused, or undefined. */
function checkField(text: string, field: Field): string | undefined {
  const extension = /[LW#?]/i.exec(text.replace(/[A-Z]{3}/gi, (name) => (field.names?.includes(name.toUpperCase()) ? '0' : name)));
  if (extension) return `"${extension[0]}" is a cron extension that is not supported; use values, ranges (a-b), lists (a,b) and steps (*/n)`;
  for (const item of text.split(',')) {
    const match = /^(\*|[^-/]+(?:-[^-/]+)?)(?:\/(.+))?$/.exec(item);
    if (!match) return `"${item}" is not a value, a range (a-b) or a step (*/n)`;
    const [, range = '', step] = match;
    if (step !== undefined && range !== '*' && !range.includes('-')) return `a step goes after * or a range (*/n, a-b/n), not after the single value "${range}"`;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1 && Number(step) <= field.max - field.min + 1)) {
      return `the step "/${step}" must be a whole number from 1 to ${field.max - field.min + 1}`;
    }
    if (range === '*') continue;
    const bounds = range.split('-').map((v) => valueOf(v, field));
    if (bounds.some((v) => v === undefined)) return `"${range}" is not ${field.name === 'hour' ? 'an' : 'a'} ${field.name} (${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ''})`;
    const [low = 0, high = low] = bounds as number[];
    if (low > high) return `the range "${range}" runs backwards`;
  }
  return undefined;
}

function valueOf(text: string, field: Field): number | undefined {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + (field.min === 1 ? 1 : 0);
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= field.min && value <= field.max ? value : undefined;
}
