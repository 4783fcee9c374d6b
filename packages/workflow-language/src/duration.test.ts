import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['1s', 1_000],
    ['1.5s', 1_500],
    ['0.25s', 250],
    ['2m', 120_000],
    ['90s', 90_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1h30m15s', 5_415_000],
    ['1m0.5s', 60_500],
    ['2s500ms', 2_500],
    ['1d', 86_400_000],
    ['1d12h', 129_600_000],
    ['1.1s', 1_100],
    ['0s', 0],
    ['0', 0],
    [0, 0],
  ] as const)('%j is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['negative', '-1s'],
    ['a sign', '+1s'],
    ['a bare number', 5],
    ['a bare number as text', '500'],
    ['a negative number', -1],
    ['an unknown unit', '1w'],
    ['an upper-case unit', '1S'],
    ['a long unit name', '1sec'],
    ['empty', ''],
    ['no number', 's'],
    ['a fraction of a millisecond', '1.5ms'],
    ['a fraction without digits before the point', '.5s'],
    ['units out of order', '30m1h'],
    ['a unit twice', '1m1m'],
    ['spaces', '1h 30m'],
    ['leading space', ' 1s'],
    ['trailing text', '1sx'],
    ['null', null],
    ['undefined', undefined],
    ['a boolean', false],
    ['an object', { ms: 1 }],
    ['too large to count in milliseconds', '99999999999999999d'],
    ['a fraction of a millisecond hidden in many digits', '1.000000000000000000001s'],
  ] as const)('refuses %s (%j)', (_case, value) => {
    expect(parseDuration(value)).toBeUndefined();
  });
});
