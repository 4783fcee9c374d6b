import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * How a delivery is signed (Stripe-like, docs/runner.md "Completion webhooks"): the receiver
 * recomputes HMAC-SHA256 over "<Trellis-Timestamp>.<raw body>" with the workflow's secret and
 * compares it with `Trellis-Signature: v1=<hex>`; the timestamp lets it refuse old replays.
 */

export const SECRET_PREFIX = 'whsec_';

/** A new signing secret: 32 random bytes, base64url, prefixed so it is recognisable when leaked. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The value of `Trellis-Signature` for this body sent at `timestamp` (unix seconds). */
export function signatureOf(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** True when `header` carries a v1 signature of the body at `timestamp` with `secret` (constant-time compare). */
export function verifySignature(secret: string, timestamp: number, body: string, header: string): boolean {
  const expected = Buffer.from(signatureOf(secret, timestamp, body));
  return header.split(',').map((part) => Buffer.from(part.trim())).some((given) => given.length === expected.length && timingSafeEqual(given, expected));
}
