import { describe, expect, it } from 'vitest';
import * as Membership from './membership.js';
import type { Role } from './role.js';

const now = new Date('2026-11-01T10:00:00Z');
const members = (...entries: Array<[string, Role]>): Membership.Membership[] =>
  entries.map(([userId, role]) => ({ projectId: 'p1', userId, role, createdAt: now }));
const change = { projectId: 'p1', changedBy: 'boss', now };

describe('Membership.changeRole keeps an owner', () => {
  it.each([
    ['demoting the only owner', members(['a', 'owner'], ['b', 'viewer']), 'a', 'developer', { type: 'LastOwner', userId: 'a' }],
    ['demoting one of two owners', members(['a', 'owner'], ['b', 'owner']), 'a', 'viewer', undefined],
    ['promoting a viewer', members(['a', 'owner'], ['b', 'viewer']), 'b', 'owner', undefined],
    ['keeping the only owner an owner', members(['a', 'owner']), 'a', 'owner', undefined],
    ['a stranger', members(['a', 'owner']), 'z', 'viewer', { type: 'MemberNotFound', userId: 'z' }],
  ] as const)('%s', (_case, list, userId, role, rejection) => {
    const result = Membership.changeRole(list, { ...change, userId, role });
    expect(result.ok ? undefined : result.error).toEqual(rejection);
    if (result.ok) {
      expect(result.value.membership).toMatchObject({ userId, role });
      expect(result.value.events).toEqual([{ type: 'MembershipChanged', projectId: 'p1', userId, role, changedBy: 'boss', occurredAt: now }]);
    }
  });
});

describe('Membership.remove keeps an owner', () => {
  it.each([
    ['the only owner', members(['a', 'owner'], ['b', 'developer']), 'a', { type: 'LastOwner', userId: 'a' }],
    ['one of two owners', members(['a', 'owner'], ['b', 'owner']), 'a', undefined],
    ['a developer', members(['a', 'owner'], ['b', 'developer']), 'b', undefined],
    ['a stranger', members(['a', 'owner']), 'z', { type: 'MemberNotFound', userId: 'z' }],
  ] as const)('%s', (_case, list, userId, rejection) => {
    const result = Membership.remove(list, { ...change, userId });
    expect(result.ok ? undefined : result.error).toEqual(rejection);
    if (result.ok) expect(result.value).toEqual({ membership: null, events: [{ type: 'MembershipChanged', projectId: 'p1', userId, role: null, changedBy: 'boss', occurredAt: now }] });
  });
});

describe('Membership.add', () => {
  it('adds a newcomer and refuses a member twice', () => {
    expect(Membership.add(members(['a', 'owner']), { ...change, userId: 'b', role: 'operator' })).toMatchObject({
      ok: true, value: { membership: { projectId: 'p1', userId: 'b', role: 'operator' }, events: [{ type: 'MembershipChanged', role: 'operator' }] },
    });
    expect(Membership.add(members(['a', 'owner']), { ...change, userId: 'a', role: 'viewer' })).toEqual({ ok: false, error: { type: 'AlreadyMember', userId: 'a' } });
  });
});
