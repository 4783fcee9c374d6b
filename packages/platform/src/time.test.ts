import { describe, expect, it } from 'vitest';
import { backoffMs, sleep } from '@trellis/platform/time';

describe('sleep', () => {
  it('ends early on abort and removes its listener when it ends by itself', async () => {
    const controller = new AbortController();
    const added: string[] = [];
    const removed: string[] = [];
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((type: string, ...rest: never[]) => { added.push(type); return add(type, ...rest); }) as typeof signal.addEventListener;
    signal.removeEventListener = ((type: string, ...rest: never[]) => { removed.push(type); return remove(type, ...rest); }) as typeof signal.removeEventListener;
    await sleep(5, signal);
    expect(removed).toEqual(added);
    const started = Date.now();
    const long = sleep(10_000, signal);
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
