import { describe, expect, it } from 'vitest';
import { checkSchedule, nextFireTimes } from './schedule.js';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('checkSchedule', () => {
  it.each([
    ['every minute', '* * * * *', undefined],
    ['daily at 02:30 in Paris', '30 2 * * *', 'Europe/Paris'],
    ['seconds first (6 fields)', '*/15 * * * * *', 'UTC'],
    ['lists, ranges and steps', '0,30 8-18/2 1-15 1,6,12 1-5', 'America/New_York'],
    ['month and day names, any case', '0 9 * jan-MAR Mon-Fri', 'UTC'],
    ['Sunday as 7', '0 0 * * 7', 'UTC'],
    ['a 29 February (fires in leap years)', '0 0 29 2 *', 'UTC'],
    ['surrounding and repeated spaces', '  0   0 * * *  ', 'UTC'],
    ['another IANA name', '0 0 * * *', 'Asia/Kolkata'],
    ['the default zone (UTC)', '0 0 * * *', undefined],
  ] as const)('accepts %s', (_case, cron, timezone) => {
    expect(checkSchedule(cron, timezone)).toEqual({ ok: true });
  });

  it.each([
    ['7 fields (a year)', '0 0 0 * * * 2030', 'UTC', 'bad_cron', '7 fields (a year field) are not supported'],
    ['4 fields', '0 0 * *', 'UTC', 'bad_cron', 'a schedule has 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), not 4'],
    ['empty', '  ', 'UTC', 'bad_cron', 'the schedule is empty'],
    ['a nickname', '@daily', 'UTC', 'bad_cron', 'nicknames like @daily are not supported'],
    ['L (last day)', '0 0 L * *', 'UTC', 'bad_cron', 'day of month field "L": "L" is a cron extension that is not supported'],
    ['W (nearest weekday)', '0 0 15W * *', 'UTC', 'bad_cron', '"W" is a cron extension'],
    ['# (nth weekday)', '0 0 * * FRI#2', 'UTC', 'bad_cron', '"#" is a cron extension'],
    ['? (no specific value)', '0 0 ? * MON', 'UTC', 'bad_cron', '"?" is a cron extension'],
    ['a minute out of range', '61 * * * *', 'UTC', 'bad_cron', 'minute field "61": "61" is not a minute (0-59)'],
    ['an hour out of range', '0 24 * * *', 'UTC', 'bad_cron', 'hour field "24": "24" is not an hour (0-23)'],
    ['day 0', '0 0 0 * *', 'UTC', 'bad_cron', 'day of month field "0"'],
    ['month 13', '0 0 1 13 *', 'UTC', 'bad_cron', 'month field "13": "13" is not a month (1-12 or JAN-DEC)'],
    ['day of week 8', '0 0 * * 8', 'UTC', 'bad_cron', 'day of week field "8"'],
    ['a day name in the month field', '0 0 * MON *', 'UTC', 'bad_cron', 'month field "MON"'],
    ['a backwards range', '0 0 * * 5-1', 'UTC', 'bad_cron', 'the range "5-1" runs backwards'],
    ['a zero step', '*/0 * * * *', 'UTC', 'bad_cron', 'the step "/0" must be a whole number from 1 to 60'],
    ['a step after a single value', '5/10 * * * *', 'UTC', 'bad_cron', 'a step goes after * or a range'],
    ['a day that never comes', '0 0 30 2 *', 'UTC', 'bad_cron', 'never fires'],
    ['garbage', 'every day', 'UTC', 'bad_cron', 'a schedule has 5 fields'],
    ['an unknown zone', '0 0 * * *', 'Mars/Olympus', 'bad_timezone', '"Mars/Olympus" is not a time zone: write an IANA time zone name such as UTC, Europe/Paris or America/New_York'],
    ['an offset instead of a zone', '0 0 * * *', '+02:00', 'bad_timezone', 'is not a time zone'],
    ['an empty zone', '0 0 * * *', '', 'bad_timezone', 'is not a time zone'],
  ] as const)('refuses %s', (_case, cron, timezone, code, reason) => {
    const check = checkSchedule(cron, timezone);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.code).toBe(code);
    expect(check.reason).toContain(reason);
  });
});

describe('nextFireTimes', () => {
  it('gives fire times strictly after the reference', () => {
    expect(iso(nextFireTimes('0 0 * * *', 'UTC', new Date('2025-01-01T00:00:00Z'), 2))).toEqual(['2025-01-02T00:00:00.000Z', '2025-01-03T00:00:00.000Z']);
    expect(iso(nextFireTimes('0 0 * * *', 'UTC', new Date('2024-12-31T23:59:59.500Z'), 1))).toEqual(['2025-01-01T00:00:00.000Z']);
  });

  it('reads the time in the zone', () => {
    expect(iso(nextFireTimes('0 9 * * *', 'Asia/Kolkata', new Date('2025-06-01T00:00:00Z'), 1))).toEqual(['2025-06-01T03:30:00.000Z']);
    expect(iso(nextFireTimes('0 9 * * *', 'America/New_York', new Date('2025-06-01T00:00:00Z'), 1))).toEqual(['2025-06-01T13:00:00.000Z']);
  });

  it('takes seconds as the first of 6 fields', () => {
    expect(iso(nextFireTimes('*/15 * * * * *', 'UTC', new Date('2025-01-01T00:00:00Z'), 3))).toEqual([
      '2025-01-01T00:00:15.000Z',
      '2025-01-01T00:00:30.000Z',
      '2025-01-01T00:00:45.000Z',
    ]);
  });

  it('fires on a day matching day-of-month or day-of-week when both are restricted (classic cron)', () => {
    expect(iso(nextFireTimes('0 0 13 * FRI', 'UTC', new Date('2025-06-01T00:00:00Z'), 4))).toEqual([
      '2025-06-06T00:00:00.000Z',
      '2025-06-13T00:00:00.000Z',
      '2025-06-20T00:00:00.000Z',
      '2025-06-27T00:00:00.000Z',
    ]);
  });

  it('fires once on the fall-back night (Paris, last Sunday of October: 02:30 happens twice)', () => {
    expect(iso(nextFireTimes('30 2 * * *', 'Europe/Paris', new Date('2025-10-25T12:00:00Z'), 3))).toEqual([
      '2025-10-26T00:30:00.000Z', // 02:30 summer time, the first 02:30 of the night
      '2025-10-27T01:30:00.000Z', // 02:30 winter time, the next day
      '2025-10-28T01:30:00.000Z',
    ]);
  });

  it('fires once on the fall-back night in New York too (01:30 happens twice)', () => {
    expect(iso(nextFireTimes('30 1 * * *', 'America/New_York', new Date('2025-11-01T12:00:00Z'), 2))).toEqual([
      '2025-11-02T05:30:00.000Z',
      '2025-11-03T06:30:00.000Z',
    ]);
  });

  it('fires at the first time after the gap on the spring-forward night (Paris, 02:30 does not exist)', () => {
    expect(iso(nextFireTimes('30 2 * * *', 'Europe/Paris', new Date('2025-03-29T12:00:00Z'), 3))).toEqual([
      '2025-03-30T01:00:00.000Z', // 03:00 summer time
      '2025-03-31T00:30:00.000Z',
      '2025-04-01T00:30:00.000Z',
    ]);
  });

  it('follows the wall clock for a repeating schedule across both changes', () => {
    // fall back: 02:00 and 02:30 happen twice, every 30 real minutes
    expect(iso(nextFireTimes('*/30 * * * *', 'Europe/Paris', new Date('2025-10-26T00:00:00Z'), 4))).toEqual([
      '2025-10-26T00:30:00.000Z',
      '2025-10-26T01:00:00.000Z',
      '2025-10-26T01:30:00.000Z',
      '2025-10-26T02:00:00.000Z',
    ]);
    // spring forward: 02:00 and 02:30 do not exist
    expect(iso(nextFireTimes('*/30 * * * *', 'Europe/Paris', new Date('2025-03-30T00:00:00Z'), 3))).toEqual([
      '2025-03-30T00:30:00.000Z',
      '2025-03-30T01:00:00.000Z',
      '2025-03-30T01:30:00.000Z',
    ]);
  });

  it('gives nothing for a count of 0 and throws on a schedule checkSchedule refuses', () => {
    expect(nextFireTimes('0 0 * * *', 'UTC', new Date('2025-01-01T00:00:00Z'), 0)).toEqual([]);
    expect(() => nextFireTimes('0 0 L * *', 'UTC', new Date('2025-01-01T00:00:00Z'), 1)).toThrow(/invalid schedule/);
    expect(() => nextFireTimes('0 0 * * *', 'Nowhere/Town', new Date('2025-01-01T00:00:00Z'), 1)).toThrow(/not a time zone/);
  });
});
