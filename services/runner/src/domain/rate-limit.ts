/*
 * A token bucket: `rate` tokens a second, at most `burst` saved up. Plain data and a function;
 * the clock comes in as an argument.
 */

export type Bucket = { readonly tokens: number; readonly at: number };

export type Take = { readonly bucket: Bucket; readonly allowed: boolean; readonly retryAfterMs: number };

/** Takes one token at `nowMs` from `bucket` (a new one starts full). */
export function take(bucket: Bucket | undefined, nowMs: number, limit: { readonly rate: number; readonly burst: number }): Take {
  const elapsed = bucket === undefined ? 0 : Math.max(0, nowMs - bucket.at);
  const tokens = bucket === undefined ? limit.burst : Math.min(limit.burst, bucket.tokens + (elapsed * limit.rate) / 1000);
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, at: nowMs }, allowed: true, retryAfterMs: 0 };
  return { bucket: { tokens, at: nowMs }, allowed: false, retryAfterMs: Math.ceil(((1 - tokens) * 1000) / limit.rate) };
}
