import { describe, expect, it } from 'vitest';
import * as Throttle from './login-throttle.js';

const policy: Throttle.ThrottlePolicy = { threshold: 10, baseDelayMs: 1000, maxDelayMs: 900_000, forgetAfterMs: 86_400_000 };
const now = new Date('2026-11-01T10:00:00Z');
const key: Throttle.ThrottleKey = { kind: 'username', value: 'ada' };

describe('Throttle.delayMs: 1 s doubling up to 15 min from the 10th failure', () => {
  it.each([
    [1, 0], [9, 0], [10, 1000], [11, 2000], [12, 4000], [19, 512_000], [20, 900_000], [500, 900_000],
  ])('after %i failures: %i ms', (failures, delay) => {
    expect(Throttle.delayMs(failures, policy)).toBe(delay);
  });
});

describe('Throttle.afterFailure', () => {
  it('counts failures and locks from the threshold on', () => {
    let counter: Throttle.ThrottleCounter | undefined;
    for (let i = 0; i < 9; i++) counter = Throttle.afterFailure(counter, key, now, policy);
    expect(counter).toEqual({ key, failures: 9, lockedUntil: null, updatedAt: now });
    expect(Throttle.waitMs(counter, now)).toBe(0);
    counter = Throttle.afterFailure(counter, key, now, policy);
    expect(counter.lockedUntil).toEqual(new Date(now.getTime() + 1000));
    expect(Throttle.waitMs(counter, now)).toBe(1000);
    expect(Throttle.waitMs(counter, new Date(now.getTime() + 1000))).toBe(0);
  });

  it('forgets failures after a quiet day', () => {
    const old: Throttle.ThrottleCounter = { key, failures: 50, lockedUntil: null, updatedAt: new Date(now.getTime() - 86_400_000) };
    expect(Throttle.afterFailure(old, key, now, policy).failures).toBe(1);
    expect(Throttle.afterFailure({ ...old, updatedAt: new Date(now.getTime() - 1000) }, key, now, policy).failures).toBe(51);
  });

  it.each([[1, 1], [1000, 1], [1001, 2], [900_000, 900]])('Retry-After for %i ms is %i s', (ms, seconds) => {
    expect(Throttle.retryAfterSeconds(ms)).toBe(seconds);
  });
});
