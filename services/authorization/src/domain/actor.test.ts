import { describe, expect, it } from 'vitest';
import * as ActorRules from './actor.js';
import type { Role } from './role.js';

const actor = (overrides: Partial<ActorRules.Actor>): ActorRules.Actor => ({
  userId: 'u1', apiKeyId: null, isAdmin: false, projectId: 'p1', role: 'viewer', ...overrides,
});

describe('projectAccess: another project looks like no project', () => {
  it.each([
    ['a viewer of p1 reading p1', actor({}), 'viewer', false, 'allowed'],
    ['a viewer of p1 changing p1', actor({}), 'owner', false, 'forbidden'],
    ['an owner of p2 touching p1', actor({ projectId: 'p2', role: 'owner' }), 'viewer', false, 'not_found'],
    ['a viewer of p2 touching p1', actor({ projectId: 'p2' }), 'owner', false, 'not_found'],
    ['a token without project', actor({ projectId: null, role: null }), 'viewer', false, 'not_found'],
    ['an admin of p2, where admins may', actor({ projectId: 'p2', isAdmin: true }), 'owner', true, 'allowed'],
    ['an admin of p2, where they may not', actor({ projectId: 'p2', isAdmin: true }), 'owner', false, 'not_found'],
    ['an owner API key of p1', actor({ userId: null, apiKeyId: 'k1', role: 'owner' }), 'owner', true, 'allowed'],
    ['a member whose role is gone', actor({ role: null }), 'viewer', false, 'forbidden'],
  ] as const)('%s', (_case, who, needed: Role, adminMay, expected) => {
    expect(ActorRules.projectAccess(who, 'p1', needed, { adminMay })).toBe(expected);
  });

  it('names the user, or the key that acted', () => {
    expect(ActorRules.idOf(actor({}))).toBe('u1');
    expect(ActorRules.idOf(actor({ userId: null, apiKeyId: 'k1' }))).toBe('k1');
  });
});
