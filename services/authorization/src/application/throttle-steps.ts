import * as Throttle from '../domain/login-throttle.js';
import type { Settings } from './settings.js';
import type { Transaction } from './ports.js';

export type Throttled = { readonly type: 'LoginThrottled'; readonly retryAfterSeconds: number };

export function throttleKeys(username: string, clientIp: string | null): Throttle.ThrottleKey[] {
  return [
    { kind: 'username', value: username },
    ...(clientIp ? [{ kind: 'address' as const, value: clientIp }] : []),
  ];
}

const policyOf = (kind: Throttle.ThrottleKind, settings: Settings) => (kind === 'username' ? settings.usernameThrottle : settings.addressThrottle);

/**
 * Locks the counters (so concurrent guesses for one username are judged one after another)
 * and says how long the caller must still wait, if at all.
 */
export async function lockAndCheck(tx: Transaction, keys: readonly Throttle.ThrottleKey[], now: Date) {
  const counters = await tx.loginThrottle.lock(keys);
  const waitMs = Math.max(0, ...counters.map((counter) => Throttle.waitMs(counter, now)));
  const refusal: Throttled | undefined = waitMs > 0 ? { type: 'LoginThrottled', retryAfterSeconds: Throttle.retryAfterSeconds(waitMs) } : undefined;
  return { counters, refusal };
}

export async function recordFailure(
  tx: Transaction,
  keys: readonly Throttle.ThrottleKey[],
  counters: readonly Throttle.ThrottleCounter[],
  now: Date,
  settings: Settings,
): Promise<void> {
  for (const key of keys) {
    const current = counters.find((c) => c.key.kind === key.kind && c.key.value === key.value);
    await tx.loginThrottle.save(Throttle.afterFailure(current, key, now, policyOf(key.kind, settings)));
  }
}
