/*
 * When a completion webhook is delivered, retried or given up. Plain data and functions; the
 * clock and the jitter come in as arguments.
 */

/** How long a delivery keeps trying: each round (the first, or a redelivery) at most `maxAttempts` attempts within `maxAgeMs`. */
export type WebhookRetryPolicy = {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxAttempts: number;
  readonly maxAgeMs: number;
};

/** What one attempt gave: an HTTP answer, no answer (timeout, connection error), or a URL the runner refuses to call. */
export type AttemptOutcome =
  | { readonly kind: 'answered'; readonly statusCode: number }
  | { readonly kind: 'unreachable'; readonly error: string }
  | { readonly kind: 'refused'; readonly error: string };

export type Round = { readonly attemptsInRound: number; readonly startedAt: Date };

export type NextStep =
  | { readonly status: 'delivered' }
  | { readonly status: 'failed' }
  | { readonly status: 'pending'; readonly nextAttemptAt: Date };

export const isSuccess = (statusCode: number): boolean => statusCode >= 200 && statusCode < 300;

/**
 * The delay before retry `n` (1 after the first failed attempt): exponential from `baseDelayMs`,
 * capped at `maxDelayMs`, with jitter over its upper half (so receivers failing together are not
 * called again together, and the delay never falls below half its step).
 */
export function retryDelayMs(policy: WebhookRetryPolicy, n: number, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(n - 1, 40));
  return Math.floor(cap / 2 + (cap / 2) * Math.min(Math.max(random(), 0), 1));
}

/** What follows an attempt that ended at `at`, the round having made `attemptsInRound` attempts with it. */
export function afterAttempt(policy: WebhookRetryPolicy, round: Round, outcome: AttemptOutcome, at: Date, random: () => number): NextStep {
  if (outcome.kind === 'answered' && isSuccess(outcome.statusCode)) return { status: 'delivered' };
  // A refused URL stays refused: retrying would only record the same refusal.
  if (outcome.kind === 'refused' || round.attemptsInRound >= policy.maxAttempts) return { status: 'failed' };
  const nextAttemptAt = new Date(at.getTime() + retryDelayMs(policy, round.attemptsInRound, random));
  if (nextAttemptAt.getTime() - round.startedAt.getTime() > policy.maxAgeMs) return { status: 'failed' };
  return { status: 'pending', nextAttemptAt };
}
