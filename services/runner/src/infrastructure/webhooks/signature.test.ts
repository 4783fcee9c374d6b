import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signatureOf, verifySignature } from './signature.js';

describe('webhook signature', () => {
  const secret = 'whsec_test';
  const body = '{"run_id":"r","status":"succeeded"}';

  it('is v1= the hex HMAC-SHA256 of "<timestamp>.<body>" with the secret', () => {
    const hex = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signatureOf(secret, 1_700_000_000, body)).toBe(`v1=${hex}`);
  });

  it('verifies with the same secret, timestamp and body only', () => {
    const header = signatureOf(secret, 1_700_000_000, body);
    expect(verifySignature(secret, 1_700_000_000, body, header)).toBe(true);
    expect(verifySignature('whsec_other', 1_700_000_000, body, header)).toBe(false);
    expect(verifySignature(secret, 1_700_000_001, body, header)).toBe(false);
    expect(verifySignature(secret, 1_700_000_000, `${body} `, header)).toBe(false);
    expect(verifySignature(secret, 1_700_000_000, body, 'v1=00')).toBe(false);
  });

  it('makes secrets of 32 random bytes, prefixed', () => {
    const made = newWebhookSecret();
    expect(made).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newWebhookSecret()).not.toBe(made);
  });
});
