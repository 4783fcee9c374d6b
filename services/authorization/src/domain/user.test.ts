import { describe, expect, it } from 'vitest';
import * as Membership from './membership.js';
import * as User from './user.js';

describe('User.checkPassword', () => {
  it.each([
    ['admin', 'correct horse battery', undefined],
    ['admin', 'short', { type: 'PasswordTooShort', minimum: 12 }],
    ['admin', '12345678901', { type: 'PasswordTooShort', minimum: 12 }],
    ['administrator', 'Administrator', { type: 'PasswordIsUsername' }],
    ['admin', 'ééééééééééé', { type: 'PasswordTooShort', minimum: 12 }],
  ])('%s / %j', (username, password, rejection) => {
    expect(User.checkPassword(username, password)).toEqual(rejection);
  });
});

describe('Membership.includes', () => {
  it('orders roles viewer < operator < developer < owner', () => {
    expect(Membership.includes('owner', 'developer')).toBe(true);
    expect(Membership.includes('developer', 'developer')).toBe(true);
    expect(Membership.includes('operator', 'developer')).toBe(false);
    expect(Membership.includes('viewer', 'operator')).toBe(false);
  });
});
