import { describe, expect, it } from 'vitest';
import { pageOf } from './page.js';
import { projectAccess, type ProjectCredential } from './project-access.js';
import { isRole, roleAllows, ROLES, type Role } from './roles.js';

describe('roles', () => {
  it.each([
    ['viewer', [true, false, false, false]],
    ['operator', [true, true, false, false]],
    ['developer', [true, true, true, false]],
    ['owner', [true, true, true, true]],
  ] as const)('%s includes exactly the roles before it', (held, expected) => {
    expect(ROLES.map((needed) => roleAllows(held, needed))).toEqual(expected);
  });

  it('recognises only the four roles', () => {
    expect(ROLES.filter(isRole)).toEqual(ROLES);
    expect(['admin', 'Owner', '', null, 3].some(isRole)).toBe(false);
  });
});

describe('projectAccess: another project looks like no project', () => {
  const member = (role: Role | null, projectId: string | null = 'p1', isAdmin = false): ProjectCredential => ({ isAdmin, projectId, role });
  it.each([
    ['a developer of the project, developer needed', member('developer'), 'p1', 'developer', false, 'allowed'],
    ['a viewer of the project, developer needed', member('viewer'), 'p1', 'developer', false, 'forbidden'],
    ['an owner of another project', member('owner', 'p2'), 'p1', 'viewer', false, 'not_found'],
    ['a credential with no project', member(null, null), 'p1', 'viewer', false, 'not_found'],
    ['a member with no role', member(null), 'p1', 'viewer', false, 'forbidden'],
    ['an admin of another project where admins may', member('viewer', 'p2', true), 'p1', 'owner', true, 'allowed'],
    ['an admin of another project where admins may not', member('owner', 'p2', true), 'p1', 'viewer', false, 'not_found'],
  ] as const)('%s: %s', (_case, credential, projectId, needed, adminMay, expected) => {
    expect(projectAccess(credential, projectId, needed, { adminMay })).toBe(expected);
  });
});

describe('pageOf', () => {
  it('cuts the look-ahead row and says whether more follow', () => {
    expect(pageOf([1, 2, 3], 2)).toEqual({ items: [1, 2], more: true });
    expect(pageOf([1, 2], 2)).toEqual({ items: [1, 2], more: false });
    expect(pageOf([], 2)).toEqual({ items: [], more: false });
  });
});
