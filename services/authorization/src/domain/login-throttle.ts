/**
 * Login throttling. Consecutive failures are counted per username and per client address;
 * from `threshold` failures on, each further failure locks the key for a delay that doubles
 * from `baseDelayMs` up to `maxDelayMs`. A success resets the username's count; an address's
 * count is only forgotten after `forgetAfterMs` without failures, so one valid account cannot
 * be used to wipe the trail of guesses made from the same address.
 */
export type ThrottleKind = 'username' | 'address';

export type ThrottleKey = { readonly kind: ThrottleKind; readonly value: string };

export type ThrottleCounter = {
  readonly key: ThrottleKey;
  readonly failures: number;
  readonly lockedUntil: Date | null;
  readonly updatedAt: Date;
};

export type ThrottlePolicy = {
  readonly threshold: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly forgetAfterMs: number;
};

/** Delay imposed after the `failures`-th consecutive failure. */
export function delayMs(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.threshold) return 0;
  const doublings = Math.min(failures - policy.threshold, 40);
  return Math.min(policy.baseDelayMs * 2 ** doublings, policy.maxDelayMs);
}

/** Milliseconds before this key may try again (0: now). */
export function waitMs(counter: ThrottleCounter | undefined, now: Date): number {
  if (!counter?.lockedUntil) return 0;
  return Math.max(0, counter.lockedUntil.getTime() - now.getTime());
}

export function afterFailure(counter: ThrottleCounter | undefined, key: ThrottleKey, now: Date, policy: ThrottlePolicy): ThrottleCounter {
  const stale = !counter || now.getTime() - counter.updatedAt.getTime() >= policy.forgetAfterMs;
  const failures = (stale ? 0 : counter.failures) + 1;
  const delay = delayMs(failures, policy);
  return { key, failures, lockedUntil: delay > 0 ? new Date(now.getTime() + delay) : null, updatedAt: now };
}

/** Seconds for a Retry-After header: whole seconds, never 0 while locked. */
export function retryAfterSeconds(waitMilliseconds: number): number {
  return Math.max(1, Math.ceil(waitMilliseconds / 1000));
}
