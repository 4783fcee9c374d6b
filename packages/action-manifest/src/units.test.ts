import { describe, expect, it } from 'vitest';
import { parseRyaxMemory, parseRyaxTime } from './ryax-units.js';
import { parseCpu, parseDuration, parseMemory } from './units.js';

const value = (parsed: { ok: boolean; value?: number }): number | 'bad' => (parsed.ok && parsed.value !== undefined ? parsed.value : 'bad');

describe('resource units', () => {
  it.each([
    [0.5, 0.5],
    [2, 2],
    ['500m', 0.5],
    ['1500m', 1.5],
    [0, 'bad'],
    [-1, 'bad'],
    ['0m', 'bad'],
    ['0.5', 'bad'],
    ['2cores', 'bad'],
    [true, 'bad'],
  ] as const)('cpu %j → %j', (input, expected) => {
    expect(value(parseCpu(input))).toBe(expected);
  });

  it.each([
    ['256Mi', 256 * 1024 ** 2],
    ['1Gi', 1024 ** 3],
    ['512M', 512e6],
    ['1G', 1e9],
    ['64Ki', 65_536],
    ['1.5Gi', 1.5 * 1024 ** 3],
    ['100k', 100_000],
    [1_048_576, 1_048_576],
    ['4096', 4096],
    ['256MB', 'bad'],
    ['256 Mi', 'bad'],
    ['0Mi', 'bad'],
    [1.5, 'bad'],
    [-1, 'bad'],
  ] as const)('memory %j → %j', (input, expected) => {
    expect(value(parseMemory(input))).toBe(expected);
  });

  it.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['500ms', 500],
    ['1.5s', 1500],
    [90, 'bad'],
    ['90', 'bad'],
    ['2d', 'bad'],
    ['0s', 'bad'],
    ['-5s', 'bad'],
  ] as const)('timeout %j → %j', (input, expected) => {
    expect(value(parseDuration(input))).toBe(expected);
  });

  it.each([
    ['4G', 4 * 1024 ** 3],
    ['512M', 512 * 1024 ** 2],
    ['2Gi', 2 * 1024 ** 3],
    [2_000_000_000, 2_000_000_000],
    ['4GB', 'bad'],
  ] as const)('Ryax memory %j → %j (powers of 1024)', (input, expected) => {
    expect(value(parseRyaxMemory(input))).toBe(expected);
  });

  it.each([
    [120, 120_000],
    [0.5, 500],
    ['10m', 600_000],
    ['1d', 86_400_000],
    ['10', 'bad'],
    [0, 'bad'],
  ] as const)('Ryax time %j → %j ms', (input, expected) => {
    expect(value(parseRyaxTime(input))).toBe(expected);
  });
});
