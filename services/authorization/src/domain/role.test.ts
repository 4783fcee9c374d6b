import { describe, expect, it } from 'vitest';
import * as Role from './role.js';

describe('Role.includes', () => {
  it.each([
    ['owner', [true, true, true, true]],
    ['developer', [true, true, true, false]],
    ['operator', [true, true, false, false]],
    ['viewer', [true, false, false, false]],
  ] as const)('%s holds viewer, operator, developer, owner: %j', (held, expected) => {
    expect(Role.ROLES.map((needed) => Role.includes(held, needed))).toEqual(expected);
  });

  it('recognises only the four roles', () => {
    expect(['viewer', 'owner', 'admin', '', null].map(Role.isRole)).toEqual([true, true, false, false, false]);
  });
});
