import { describe, expect, it } from 'vitest';
import { exitCodeOf, fail, mergeAlike, ok, warn } from './check.js';
import { reportLines } from './report.js';

describe('the report', () => {
  it('is one line per finding, its status, check and subject lined up, the hint in brackets, then a summary', () => {
    const lines = reportLines([
      ok('database', 'studio', 'reachable (12 ms)'),
      fail('broker', 'runner', 'connection refused at 127.0.0.1:5672', 'is RabbitMQ running?'),
      warn('queue', 'trellis.studio.events', 'no consumer (nothing waiting)'),
    ]);
    expect(lines).toEqual([
      'ok   database  studio: reachable (12 ms)',
      'FAIL broker    runner: connection refused at 127.0.0.1:5672 (is RabbitMQ running?)',
      'warn queue     trellis.studio.events: no consumer (nothing waiting)',
      'doctor: 1 ok, 1 warning, 1 failure: not all is well (see the FAIL lines; docs/operations.md#doctor explains each)',
    ]);
  });

  it.each([
    [[ok('a', 's', 'd')], 0, 'doctor: 1 ok, 0 warnings, 0 failures: all is well'],
    [[ok('a', 's', 'd'), warn('b', 's', 'd')], 0, 'doctor: 1 ok, 1 warning, 0 failures: working, with warnings'],
    [[warn('b', 's', 'd'), fail('c', 's', 'd'), fail('c', 't', 'd')], 1, 'doctor: 0 ok, 1 warning, 2 failures: not all is well (see the FAIL lines; docs/operations.md#doctor explains each)'],
  ])('exits 0 only without a failure (warnings allowed): %#', (checks, code, summary) => {
    expect(exitCodeOf(checks)).toBe(code);
    expect(reportLines(checks).at(-1)).toBe(summary);
  });
});

describe('alike findings', () => {
  const all = ['authorization', 'studio', 'runner'];
  const refused = (service: string) => fail('broker', service, 'connection refused at 127.0.0.1:5672', 'is RabbitMQ running?');

  it('of every service are one line', () => {
    expect(mergeAlike(all.map(refused), all)).toEqual([{ ...refused('authorization'), subject: 'every service' }]);
  });

  it('of some services name them; different ones stay apart', () => {
    const checks = [refused('authorization'), ok('broker', 'studio', 'reachable (3 ms)'), refused('runner')];
    expect(mergeAlike(checks, all)).toEqual([{ ...refused('authorization'), subject: 'authorization, runner' }, ok('broker', 'studio', 'reachable (3 ms)')]);
  });

  it('that are ok alike by chance for some services stay apart', () => {
    const checks = [ok('database', 'authorization', 'reachable (3 ms)'), ok('database', 'studio', 'reachable (5 ms)'), ok('database', 'runner', 'reachable (3 ms)')];
    expect(mergeAlike(checks, all).map((c) => c.subject)).toEqual(['authorization', 'studio', 'runner']);
  });
});
