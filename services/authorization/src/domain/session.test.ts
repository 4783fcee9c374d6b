import { describe, expect, it } from 'vitest';
import * as Session from './session.js';

const now = new Date('2026-11-01T10:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);
const session = Session.start({ id: 's1', userId: 'u1', projectId: 'p1', now });
const token = Session.issueRefreshToken(session, { sha256: 'h1', now, ttlSeconds: 60 });

describe('Session.judgeRefresh', () => {
  it.each([
    ['a fresh token', token, session, now, 'valid'],
    ['a token in its last millisecond', token, session, later(59_999), 'valid'],
    ['an expired token', token, session, later(60_000), 'invalid'],
    ['a used token', { ...token, usedAt: now }, session, now, 'reused'],
    ['a used and expired token', { ...token, usedAt: now }, session, later(120_000), 'reused'],
    ['a token of a revoked session', token, Session.revoke(session, now, 'logout'), now, 'invalid'],
    ['a used token of a revoked session', { ...token, usedAt: now }, Session.revoke(session, now, 'logout'), now, 'invalid'],
    ['an unknown token', undefined, session, now, 'invalid'],
    ['a token without its session', token, undefined, now, 'invalid'],
  ] as const)('%s -> %s', (_case, presented, family, at, verdict) => {
    expect(Session.judgeRefresh(presented, family, at)).toBe(verdict);
  });

  it('keeps the first revocation', () => {
    const revoked = Session.revoke(session, now, 'logout');
    expect(Session.revoke(revoked, later(1), 'refresh_token_reused')).toBe(revoked);
  });
});

describe('Session.chooseProject', () => {
  const mine = [
    { projectId: 'p2', projectName: 'zeta', role: 'owner' as const },
    { projectId: 'p1', projectName: 'alpha', role: 'viewer' as const },
  ];
  it.each([
    ['the requested project', 'p2', mine, { ok: true, value: mine[0] }],
    ['the first by name when none is requested', null, mine, { ok: true, value: mine[1] }],
    ['none for a user without projects', null, [], { ok: true, value: null }],
    ['not found for a project that is not theirs', 'p9', mine, { ok: false, error: { type: 'ProjectNotFound', projectId: 'p9' } }],
  ] as const)('%s', (_case, requested, memberships, expected) => {
    expect(Session.chooseProject(requested, memberships)).toEqual(expected);
  });

  it('keeps the current project on refresh, or falls back to the first', () => {
    expect(Session.keepProject('p2', mine)).toEqual(mine[0]);
    expect(Session.keepProject('gone', mine)).toEqual(mine[1]);
    expect(Session.keepProject(null, [])).toBeNull();
  });
});

describe('Session.claimsFor', () => {
  it('carries the project and role only when there is one', () => {
    const user = { id: 'u1', username: 'ada', isAdmin: true };
    expect(Session.claimsFor({ user, session, project: { projectId: 'p1', projectName: 'alpha', role: 'owner' }, tokenId: 't1' }))
      .toEqual({ sub: 'u1', name: 'ada', adm: true, pid: 'p1', role: 'owner', sid: 's1', jti: 't1' });
    expect(Session.claimsFor({ user, session, project: null, tokenId: 't1' })).toEqual({ sub: 'u1', name: 'ada', adm: true, sid: 's1', jti: 't1' });
  });
});
