import { describe, expect, it } from 'vitest';
import { afterAttempt, retryDelayMs, type AttemptOutcome, type WebhookRetryPolicy } from './webhook-delivery.js';

const policy: WebhookRetryPolicy = { baseDelayMs: 1000, maxDelayMs: 8000, maxAttempts: 5, maxAgeMs: 60_000 };
const start = new Date('2030-01-01T00:00:00Z');
const at = (ms: number) => new Date(start.getTime() + ms);
const top = () => 0.999999;
const answered = (statusCode: number): AttemptOutcome => ({ kind: 'answered', statusCode });

describe('retryDelayMs', () => {
  it.each([
    [1, 0, 500], [1, 1, 1000], [2, 0, 1000], [3, 1, 4000], [4, 1, 8000], [9, 1, 8000], [9, 0, 4000],
  ])('retry %i with jitter %d waits %i ms', (n, jitter, expected) => {
    expect(retryDelayMs(policy, n, () => jitter)).toBe(expected);
  });
});

describe('afterAttempt', () => {
  const round = (attemptsInRound: number) => ({ attemptsInRound, startedAt: start });
  it.each([
    ['a 2xx delivers', answered(204), 1, { status: 'delivered' }],
    ['a 500 retries after the delay', answered(500), 1, { status: 'pending', nextAttemptAt: at(10_000 + 999) }],
    ['a 3xx is not a delivery', answered(302), 2, { status: 'pending', nextAttemptAt: at(10_000 + 1999) }],
    ['no answer retries', { kind: 'unreachable', error: 'timeout' } as const, 1, { status: 'pending', nextAttemptAt: at(10_000 + 999) }],
    ['a refused URL fails at once', { kind: 'refused', error: 'loopback' } as const, 1, { status: 'failed' }],
    ['the last attempt of the round fails', answered(500), 5, { status: 'failed' }],
  ])('%s', (_name, outcome, attempts, expected) => {
    expect(afterAttempt(policy, round(attempts), outcome, at(10_000), top)).toEqual(expected);
  });

  it('fails once the next attempt would fall past the round\'s age bound', () => {
    expect(afterAttempt(policy, round(2), answered(503), at(58_500), top)).toEqual({ status: 'failed' });
    expect(afterAttempt(policy, round(2), answered(503), at(50_000), top)).toMatchObject({ status: 'pending' });
  });
});
