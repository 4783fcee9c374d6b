import { describe, expect, it } from 'vitest';
import * as ApiKey from './api-key.js';

const now = new Date('2026-11-01T10:00:00Z');
const input = {
  id: 'k1', projectId: 'p1', name: 'CI', role: 'operator' as const, secret: { prefix: 'abcd1234', sha256: 'f'.repeat(64) },
  createdBy: 'u1', expiresAt: null, now,
};

describe('ApiKey.issue', () => {
  it('stores the hash and prefix, and announces the hash', () => {
    const result = ApiKey.issue(input);
    expect(result).toEqual({
      ok: true,
      value: {
        apiKey: { id: 'k1', projectId: 'p1', name: 'CI', role: 'operator', prefix: 'abcd1234', secretSha256: 'f'.repeat(64), createdAt: now, createdBy: 'u1', expiresAt: null, revokedAt: null },
        events: [{ type: 'ApiKeyIssued', keyId: 'k1', projectId: 'p1', role: 'operator', secretSha256: 'f'.repeat(64), expiresAt: null, occurredAt: now }],
      },
    });
  });

  it.each([
    ['an empty name', { name: ' ' }, 'InvalidApiKeyName'],
    ['a long name', { name: 'x'.repeat(101) }, 'InvalidApiKeyName'],
    ['an expiry now', { expiresAt: now }, 'ApiKeyExpiryInPast'],
    ['an expiry in the past', { expiresAt: new Date(now.getTime() - 1) }, 'ApiKeyExpiryInPast'],
  ])('refuses %s', (_case, overrides, type) => {
    expect(ApiKey.issue({ ...input, ...overrides })).toMatchObject({ ok: false, error: { type } });
  });
});

describe('ApiKey.revoke', () => {
  it('revokes once and announces once', () => {
    const issued = ApiKey.issue(input);
    if (!issued.ok) throw new Error('issue failed');
    const first = ApiKey.revoke(issued.value.apiKey, now);
    expect(first.apiKey.revokedAt).toEqual(now);
    expect(first.events).toEqual([{ type: 'ApiKeyRevoked', keyId: 'k1', projectId: 'p1', occurredAt: now }]);
    const second = ApiKey.revoke(first.apiKey, new Date(now.getTime() + 1000));
    expect(second).toEqual({ apiKey: first.apiKey, events: [] });
  });
});
