import { describe, expect, it } from 'vitest';
import * as Schedule from './schedule.js';

const t = (iso: string) => new Date(iso);
const iso = (dates: readonly Date[]) => dates.map((date) => date.toISOString());

const aSchedule = (fields: Partial<Schedule.Schedule> = {}): Schedule.Schedule => ({
  workflowId: 'w1', projectId: 'p1', version: 1, cron: '* * * * * *', timezone: 'UTC', missed: 'skip', catchUpLimit: 10, inputs: {},
  nextTickAt: t('2026-03-01T10:00:00Z'), lastTickAt: null, ...fields,
});

const MISFIRE = { misfireMs: 2_000 };

describe('which ticks are due', () => {
  it('none before the next tick', () => {
    expect(Schedule.dueTicks(aSchedule(), t('2026-03-01T09:59:59.999Z'), MISFIRE)).toBeUndefined();
  });

  it.each<[string, Partial<Schedule.Schedule>, string, string[], Schedule.DueTicks['dropped'] | undefined, string]>([
    ['the tick at its time', {}, '2026-03-01T10:00:00.000Z', ['2026-03-01T10:00:00.000Z'], undefined, '2026-03-01T10:00:01.000Z'],
    ['a late tick (under the threshold) fires, with any other late one', {}, '2026-03-01T10:00:01.500Z',
      ['2026-03-01T10:00:00.000Z', '2026-03-01T10:00:01.000Z'], undefined, '2026-03-01T10:00:02.000Z'],
    ['skip: missed ticks do not fire, only those under the threshold', {}, '2026-03-01T10:00:10.500Z',
      ['2026-03-01T10:00:09.000Z', '2026-03-01T10:00:10.000Z'], { from: t('2026-03-01T10:00:00Z'), until: t('2026-03-01T10:00:08.500Z') }, '2026-03-01T10:00:11.000Z'],
    ['catch_up: every missed tick within the limit fires, in order', { missed: 'catch_up' }, '2026-03-01T10:00:05.500Z',
      ['2026-03-01T10:00:00.000Z', '2026-03-01T10:00:01.000Z', '2026-03-01T10:00:02.000Z', '2026-03-01T10:00:03.000Z', '2026-03-01T10:00:04.000Z', '2026-03-01T10:00:05.000Z'],
      undefined, '2026-03-01T10:00:06.000Z'],
    ['catch_up: beyond the limit, the most recent missed ticks fire', { missed: 'catch_up', catchUpLimit: 2 }, '2026-03-01T10:00:10.500Z',
      ['2026-03-01T10:00:07.000Z', '2026-03-01T10:00:08.000Z', '2026-03-01T10:00:09.000Z', '2026-03-01T10:00:10.000Z'],
      { from: t('2026-03-01T10:00:00Z'), until: t('2026-03-01T10:00:07Z') }, '2026-03-01T10:00:11.000Z'],
    ['catch_up after days down: only the limit, without walking every second', { missed: 'catch_up', catchUpLimit: 3 }, '2026-03-04T10:00:00.500Z',
      ['2026-03-04T09:59:56.000Z', '2026-03-04T09:59:57.000Z', '2026-03-04T09:59:58.000Z', '2026-03-04T09:59:59.000Z', '2026-03-04T10:00:00.000Z'],
      { from: t('2026-03-01T10:00:00Z'), until: t('2026-03-04T09:59:56Z') }, '2026-03-04T10:00:01.000Z'],
    ['skip: a daily tick missed by hours does not fire late', { cron: '0 2 * * *', nextTickAt: t('2026-03-01T02:00:00Z') }, '2026-03-01T14:00:00Z',
      [], { from: t('2026-03-01T02:00:00Z'), until: t('2026-03-01T13:59:58Z') }, '2026-03-02T02:00:00.000Z'],
  ])('%s', (_name, fields, now, fire, dropped, next) => {
    const due = Schedule.dueTicks(aSchedule(fields), t(now), MISFIRE);
    expect(due && iso(due.fire)).toEqual(fire);
    expect(due?.dropped).toEqual(dropped);
    expect(due?.nextTickAt.toISOString()).toBe(next);
  });

  it('the fall-back hour fires once (02:30 in Paris on the night clocks go back)', () => {
    // 27 October 2024: 03:00 CEST became 02:00 CET, so 02:30 happened at 00:30Z and at 01:30Z.
    const paris = aSchedule({ cron: '30 2 * * *', timezone: 'Europe/Paris', missed: 'catch_up', nextTickAt: t('2024-10-26T00:30:00Z') });
    const due = Schedule.dueTicks(paris, t('2024-10-28T12:00:00Z'), MISFIRE);
    expect(due && iso(due.fire)).toEqual(['2024-10-26T00:30:00.000Z', '2024-10-27T00:30:00.000Z', '2024-10-28T01:30:00.000Z']);
    expect(due?.nextTickAt.toISOString()).toBe('2024-10-29T01:30:00.000Z');
  });

  it('the spring-forward gap fires at the first time after it', () => {
    // 31 March 2024: 02:00 CET became 03:00 CEST; 02:30 did not exist.
    const paris = aSchedule({ cron: '30 2 * * *', timezone: 'Europe/Paris', missed: 'catch_up', nextTickAt: t('2024-03-30T01:30:00Z') });
    const due = Schedule.dueTicks(paris, t('2024-03-31T12:00:00Z'), MISFIRE);
    expect(due && iso(due.fire)).toEqual(['2024-03-30T01:30:00.000Z', '2024-03-31T01:00:00.000Z']);
  });
});

describe('a schedule starts serving', () => {
  const trigger: Schedule.ScheduleTrigger = { cron: '0 * * * *', timezone: 'UTC', missed: 'skip', catchUpLimit: 10, inputs: { n: 1 } };
  const target = { workflowId: 'w1', projectId: 'p1', version: 2 };
  const now = t('2026-03-01T10:20:00Z');

  it('first deploy: from the first tick after now', () => {
    expect(Schedule.serve(undefined, target, trigger, now)).toEqual({ ...target, ...trigger, nextTickAt: t('2026-03-01T11:00:00Z'), lastTickAt: null });
  });

  it('a redeploy with the same cron keeps its ticks (inputs and policy change)', () => {
    const current = aSchedule({ cron: '0 * * * *', nextTickAt: t('2026-03-01T10:00:00Z'), lastTickAt: t('2026-03-01T09:00:00Z') });
    expect(Schedule.serve(current, target, { ...trigger, missed: 'catch_up' }, now))
      .toEqual({ ...target, ...trigger, missed: 'catch_up', nextTickAt: t('2026-03-01T10:00:00Z'), lastTickAt: t('2026-03-01T09:00:00Z') });
  });

  it('a redeploy with a new cron starts from its first tick after now', () => {
    const current = aSchedule({ cron: '0 * * * *', nextTickAt: t('2026-03-01T11:00:00Z') });
    expect(Schedule.serve(current, target, { ...trigger, cron: '*/15 * * * *' }, now).nextTickAt).toEqual(t('2026-03-01T10:30:00Z'));
  });

  it('reads the trigger of a document', () => {
    const document = { apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'w', trigger: { type: 'schedule', cron: '*/5 * * * *', timezone: 'Europe/Paris', missed: 'catch_up', catch_up_limit: 3, inputs: { n: 1 } }, steps: [] };
    expect(Schedule.scheduleTriggerOf(JSON.stringify(document))).toEqual({ cron: '*/5 * * * *', timezone: 'Europe/Paris', missed: 'catch_up', catchUpLimit: 3, inputs: { n: 1 } });
    expect(Schedule.scheduleTriggerOf(JSON.stringify({ ...document, trigger: { type: 'manual' } }))).toBeUndefined();
  });
});

describe('the trigger outputs of a tick', () => {
  it('are the inputs, variables read as it fires', () => {
    expect(Schedule.tickOutputs({ n: 1, region: '${{ vars.REGION }}', note: 'in ${{ vars.REGION }}' }, new Map([['REGION', 'eu-west']])))
      .toEqual({ ok: true, value: { n: 1, region: 'eu-west', note: 'in eu-west' } });
  });

  it('say which value cannot be rendered', () => {
    const outputs = Schedule.tickOutputs({ region: '${{ vars.REGION }}' }, new Map());
    expect(outputs.ok).toBe(false);
    expect(!outputs.ok && outputs.error).toContain('region');
  });
});

