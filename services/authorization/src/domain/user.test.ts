import { describe, expect, it } from 'vitest';
import * as User from './user.js';

const now = new Date('2026-11-01T10:00:00Z');
const aUser = (overrides: Partial<User.User> = {}): User.User => ({
  id: 'u1', username: 'ada', displayName: 'Ada', email: null, passwordHash: 'h1', isAdmin: false, disabled: false, createdAt: now, ...overrides,
});

describe('User.checkPassword', () => {
  it.each([
    ['admin', 'correct horse battery', undefined],
    ['admin', 'short', { type: 'PasswordTooShort', minimum: 12 }],
    ['admin', '12345678901', { type: 'PasswordTooShort', minimum: 12 }],
    ['admin', '123456789012', undefined],
    ['administrator', 'Administrator', { type: 'PasswordIsUsername' }],
    ['admin', 'ééééééééééé', { type: 'PasswordTooShort', minimum: 12 }],
    ['admin', 'éééééééééééé', undefined],
  ])('%s / %j', (username, password, rejection) => {
    expect(User.checkPassword(username, password)).toEqual(rejection);
  });
});

describe('User.checkUsername', () => {
  it.each([
    ['ada', true],
    ['a.b_c-d9', true],
    ['x'.repeat(64), true],
    ['ab', false],
    ['x'.repeat(65), false],
    ['Ada', false],
    ['with space', false],
    ['ünï', false],
    ['a/b', false],
  ])('%j valid: %s', (username, valid) => {
    expect(User.checkUsername(username) === undefined).toBe(valid);
  });
});

describe('User.checkEmail and checkDisplayName', () => {
  it.each([
    [null, true],
    ['ada@example.com', true],
    ['ada@localhost', false],
    ['ada example.com', false],
    ['@example.com', false],
    [`${'x'.repeat(250)}@e.io`, false],
  ])('email %j valid: %s', (email, valid) => {
    expect(User.checkEmail(email) === undefined).toBe(valid);
  });

  it.each([
    ['Ada Lovelace', true],
    ['', false],
    ['   ', false],
    ['x'.repeat(101), false],
    ['line\nbreak', false],
  ])('display name %j valid: %s', (name, valid) => {
    expect(User.checkDisplayName(name) === undefined).toBe(valid);
  });
});

describe('User.create', () => {
  it('defaults the display name to the username and starts enabled', () => {
    expect(User.create({ id: 'u1', username: 'ada', passwordHash: 'h', isAdmin: false, now })).toEqual({
      ok: true, value: { id: 'u1', username: 'ada', displayName: 'ada', email: null, passwordHash: 'h', isAdmin: false, disabled: false, createdAt: now },
    });
  });

  it('rejects a bad email', () => {
    expect(User.create({ id: 'u1', username: 'ada', email: 'nope', passwordHash: 'h', isAdmin: false, now })).toEqual({ ok: false, error: { type: 'InvalidEmail' } });
  });
});

describe('User.update keeps one working admin', () => {
  const admin = aUser({ id: 'a1', isAdmin: true });
  it.each([
    ['demoting the only admin', { isAdmin: false }, ['a1'], { type: 'LastAdmin' }],
    ['disabling the only admin', { disabled: true }, ['a1'], { type: 'LastAdmin' }],
    ['demoting one of two admins', { isAdmin: false }, ['a1', 'a2'], undefined],
    ['disabling one of two admins', { disabled: true }, ['a1', 'a2'], undefined],
    ['renaming the only admin', { displayName: 'Boss' }, ['a1'], undefined],
    ['resetting the only admin\'s password', { passwordHash: 'h2' }, ['a1'], undefined],
  ] as const)('%s', (_case, changes, activeAdmins, rejection) => {
    const result = User.update(admin, changes, activeAdmins);
    expect(result.ok ? undefined : result.error).toEqual(rejection);
  });

  it('lets a second admin be made and an enabled user disabled', () => {
    expect(User.update(aUser(), { isAdmin: true }, ['a1'])).toMatchObject({ ok: true, value: { isAdmin: true } });
    expect(User.update(aUser(), { disabled: true }, ['a1'])).toMatchObject({ ok: true, value: { disabled: true } });
  });

  it('names changed fields without values, and knows which changes end sessions', () => {
    const after = { ...admin, passwordHash: 'h2', displayName: 'Boss' };
    expect(User.changedFields(admin, after)).toEqual(['display_name', 'password']);
    expect(User.endsSessions(admin, after)).toBe(true);
    expect(User.endsSessions(admin, { ...admin, displayName: 'Boss' })).toBe(false);
    expect(User.endsSessions(admin, { ...admin, disabled: true })).toBe(true);
    expect(User.endsSessions(admin, { ...admin, isAdmin: false })).toBe(true);
  });
});

describe('User.remove', () => {
  it.each([
    ['yourself', aUser({ id: 'a1', isAdmin: true }), 'a1', ['a1', 'a2'], { type: 'CannotDeleteSelf' }],
    ['the last admin', aUser({ id: 'a2', isAdmin: true }), 'x', ['a2'], { type: 'LastAdmin' }],
    ['one of two admins', aUser({ id: 'a2', isAdmin: true }), 'a1', ['a1', 'a2'], undefined],
    ['a disabled admin', aUser({ id: 'a2', isAdmin: true, disabled: true }), 'a1', ['a1'], undefined],
    ['a plain user', aUser({ id: 'u9' }), 'a1', ['a1'], undefined],
  ] as const)('%s', (_case, user, deletedBy, activeAdminIds, rejection) => {
    const result = User.remove(user, { deletedBy, activeAdminIds, now });
    expect(result.ok ? undefined : result.error).toEqual(rejection);
    if (result.ok) expect(result.value.events).toEqual([{ type: 'UserDeleted', userId: user.id, occurredAt: now }]);
  });
});
