import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { backoffMs, sleep } from '@trellis/platform/time';

describe('sleep', () => {
  it('ends early on abort and removes its listener when it ends by itself', async () => {
    const controller = new AbortController();
    await sleep(5, controller.signal);
    await sleep(5, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    const started = Date.now();
    const long = sleep(10_000, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    await long;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('backoffMs', () => {
  it('grows and stays under its cap', () => {
    const samples = (attempt: number) => Array.from({ length: 200 }, () => backoffMs(attempt, 100, 5000));
    expect(Math.max(...samples(0))).toBeLessThanOrEqual(100);
    expect(Math.min(...samples(3))).toBeGreaterThanOrEqual(400);
    expect(Math.max(...samples(30))).toBeLessThanOrEqual(5000);
  });
});
