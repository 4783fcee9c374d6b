import { describe, expect, it } from 'vitest';
import * as SigningKey from './signing-key.js';

const policy = { rotationSeconds: 7 * 86_400, accessTokenTtlSeconds: 900, marginSeconds: 300 };
const t0 = new Date('2026-11-01T00:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const key = (kid: string, created: number, retired: number | null = null): SigningKey.KeyTimes => ({
  kid, createdAt: at(created), retiredAt: retired === null ? null : at(retired),
});
const week = 7 * 86_400;

describe('SigningKey.plan', () => {
  it.each([
    ['no key at all: make one', [], 0, { create: true, retire: [], remove: [] }],
    ['a young active key: nothing', [key('a', 0)], week - 1, { create: false, retire: [], remove: [] }],
    ['an active key a week old: replace it', [key('a', 0)], week, { create: true, retire: ['a'], remove: [] }],
    ['a retired key whose tokens may live: keep it', [key('b', week), key('a', 0, week)], week + 1199, { create: false, retire: [], remove: [] }],
    ['a retired key past ttl + margin: remove it', [key('b', week), key('a', 0, week)], week + 1200, { create: false, retire: [], remove: ['a'] }],
    ['two active keys (a race): keep the newest', [key('a', 0), key('b', 10)], 20, { create: false, retire: ['a'], remove: [] }],
    ['only retired keys: make one, keep publishing them', [key('a', 0, 100)], 200, { create: true, retire: [], remove: [] }],
  ] as const)('%s', (_case, keys, now, expected) => {
    expect(SigningKey.plan(keys, at(now), policy)).toEqual(expected);
  });

  it('publishes a retired key for the token lifetime plus the margin', () => {
    expect(SigningKey.publishedForMs(policy)).toBe(1_200_000);
  });
});
