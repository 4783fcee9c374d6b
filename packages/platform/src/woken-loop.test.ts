import { describe, expect, it } from 'vitest';
import { startWokenLoop } from './woken-loop.js';

const quiet = () => undefined;
const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

describe('startWokenLoop', () => {
  it('runs at once, then only when woken (the poll is far away)', async () => {
    let steps = 0;
    const loop = startWokenLoop({ pollMs: 60_000, backoff: { baseMs: 1, maxMs: 1 }, onError: quiet, step: async () => void steps++ });
    await tick();
    expect(steps).toBe(1);
    loop.wake();
    await tick();
    expect(steps).toBe(2);
    await loop.stop();
  });

  it('runs again at once while the step says more work is waiting', async () => {
    let steps = 0;
    const loop = startWokenLoop({ pollMs: 60_000, backoff: { baseMs: 1, maxMs: 1 }, onError: quiet, step: async () => ++steps < 5 });
    await tick(50);
    expect(steps).toBe(5);
    await loop.stop();
  });

  it('retries a failing step with a delay, reporting each failure', async () => {
    let steps = 0;
    const errors: number[] = [];
    const loop = startWokenLoop({
      pollMs: 60_000, backoff: { baseMs: 5, maxMs: 5 }, onError: (_error, delay) => errors.push(delay),
      step: async () => {
        if (++steps < 3) throw new Error('database down');
      },
    });
    await tick(100);
    expect(steps).toBe(3);
    expect(errors).toHaveLength(2);
    await loop.stop();
  });

  it('stops promptly while waiting', async () => {
    const loop = startWokenLoop({ pollMs: 60_000, backoff: { baseMs: 1, maxMs: 1 }, onError: quiet, step: async () => undefined });
    await tick();
    const started = Date.now();
    await loop.stop();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
