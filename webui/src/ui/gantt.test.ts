import { describe, expect, it } from 'vitest';
import { formatDuration, timelineOf } from './gantt.js';

const t = (ms: number) => new Date(Date.UTC(2030, 0, 1, 10, 0, 0) + ms).toISOString();
const attempt = (n: number, start: number, end: number | null, status = 'succeeded') => ({ attempt: n, status, started_at: t(start), finished_at: end === null ? null : t(end) });

describe('the timeline of a run', () => {
  it('places one bar per attempt from the run\'s start, scaled to the run\'s span', () => {
    const run = { started_at: t(0), finished_at: t(4000) };
    const timeline = timelineOf(run, [
      { id: 'a', status: 'succeeded', started_at: t(0), finished_at: t(1000), attempts: [attempt(1, 0, 1000)] },
      { id: 'b', status: 'succeeded', started_at: t(1000), finished_at: t(4000), attempts: [attempt(1, 1000, 2000, 'failed'), attempt(2, 3000, 4000)] },
      { id: 'c', status: 'pending', started_at: null, finished_at: null, attempts: [] },
    ], Date.parse(t(9999)));
    expect(timeline.spanMs).toBe(4000);
    expect(timeline.bars.map(({ step, attempt: n, status, startMs, durationMs, left, width }) => ({ step, n, status, startMs, durationMs, left, width }))).toEqual([
      { step: 'a', n: 1, status: 'succeeded', startMs: 0, durationMs: 1000, left: 0, width: 25 },
      { step: 'b', n: 1, status: 'failed', startMs: 1000, durationMs: 1000, left: 25, width: 25 },
      { step: 'b', n: 2, status: 'succeeded', startMs: 3000, durationMs: 1000, left: 75, width: 25 },
    ]);
  });

  it('draws a running attempt up to now, and a step with no attempt (a wait) whole', () => {
    const timeline = timelineOf({ started_at: t(0), finished_at: null }, [
      { id: 'a', status: 'running', started_at: t(500), finished_at: null, attempts: [attempt(1, 500, null, 'running')] },
      { id: 'w', status: 'running', started_at: t(1000), finished_at: null, attempts: [] },
    ], Date.parse(t(2000)));
    expect(timeline.spanMs).toBe(2000);
    expect(timeline.bars.map((bar) => [bar.step, bar.attempt, bar.durationMs, bar.running])).toEqual([['a', 1, 1500, true], ['w', 0, 1000, true]]);
  });

  it('writes durations for people', () => {
    expect([formatDuration(null), formatDuration(850), formatDuration(2400), formatDuration(42_000), formatDuration(185_000), formatDuration(3_720_000)])
      .toEqual(['—', '850 ms', '2.4 s', '42 s', '3 min 5 s', '1 h 2 min']);
  });
});
