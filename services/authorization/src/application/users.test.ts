import { describe, expect, it } from 'vitest';
import { makeInstance, meta, readFakeToken } from './fakes.js';

describe('createUser', () => {
  it('hashes the password and never audits it', async () => {
    const instance = await makeInstance();
    const result = await instance.useCases.createUser({ actor: instance.admin.actor, username: 'ada', password: 'ada secret pass', displayName: 'Ada L.', email: 'ada@example.com', meta });
    expect(result).toMatchObject({ ok: true, value: { username: 'ada', displayName: 'Ada L.', email: 'ada@example.com', passwordHash: 'hashed:ada secret pass', isAdmin: false } });
    expect(instance.state().audit.at(-1)).toMatchObject({ type: 'user_created', actorUserId: instance.admin.id });
    expect(JSON.stringify(instance.state().audit)).not.toContain('ada secret pass');
  });

  it.each([
    ['a bad username', { username: 'Ada!' }, { type: 'InvalidUsername' }],
    ['a short password', { password: 'short' }, { type: 'PasswordTooShort', minimum: 12 }],
    ['the username as password', { username: 'adalovelace12', password: 'AdaLovelace12' }, { type: 'PasswordIsUsername' }],
    ['a bad email', { email: 'not-an-email' }, { type: 'InvalidEmail' }],
    ['a taken username', { username: 'admin' }, { type: 'UsernameTaken', username: 'admin' }],
  ])('refuses %s', async (_case, overrides, error) => {
    const instance = await makeInstance();
    const before = instance.state().users;
    const result = await instance.useCases.createUser({ actor: instance.admin.actor, username: 'ada', password: 'ada secret pass', meta, ...overrides });
    expect(result).toMatchObject({ ok: false, error });
    expect(instance.state().users).toEqual(before);
  });
});

describe('updateUser', () => {
  it('disabling ends the user\'s sessions', async () => {
    const instance = await makeInstance();
    const ada = await instance.addUser('ada');
    await instance.useCases.logIn({ username: 'ada', password: 'ada password!', projectId: null, meta });
    const result = await instance.useCases.updateUser({ actor: instance.admin.actor, userId: ada.id, changes: { disabled: true, displayName: 'Gone' }, meta });
    expect(result).toMatchObject({ ok: true, value: { disabled: true, displayName: 'Gone' } });
    expect(instance.state().sessions).toEqual([expect.objectContaining({ userId: ada.id, revokedReason: 'user_changed' })]);
    expect(instance.state().audit.at(-1)).toMatchObject({ type: 'user_updated', targetId: ada.id, details: { fields: ['display_name', 'disabled'] } });
  });

  it('resets a password under the policy', async () => {
    const instance = await makeInstance();
    const ada = await instance.addUser('ada');
    expect(await instance.useCases.updateUser({ actor: instance.admin.actor, userId: ada.id, changes: { password: 'ada' }, meta })).toMatchObject({ ok: false, error: { type: 'PasswordTooShort' } });
    expect(await instance.useCases.updateUser({ actor: instance.admin.actor, userId: ada.id, changes: { password: 'a brand new one' }, meta })).toMatchObject({ ok: true });
    expect(await instance.useCases.logIn({ username: 'ada', password: 'a brand new one', projectId: null, meta })).toMatchObject({ ok: true });
    expect(JSON.stringify(instance.state().audit)).not.toContain('a brand new one');
  });

  it('keeps one enabled admin', async () => {
    const instance = await makeInstance();
    expect(await instance.useCases.updateUser({ actor: instance.admin.actor, userId: instance.admin.id, changes: { isAdmin: false }, meta })).toEqual({ ok: false, error: { type: 'LastAdmin' } });
    expect(await instance.useCases.updateUser({ actor: instance.admin.actor, userId: instance.admin.id, changes: { disabled: true }, meta })).toEqual({ ok: false, error: { type: 'LastAdmin' } });
    await instance.addUser('second', { isAdmin: true });
    expect(await instance.useCases.updateUser({ actor: instance.admin.actor, userId: instance.admin.id, changes: { isAdmin: false }, meta })).toMatchObject({ ok: true });
  });

  it('answers not found for an unknown user', async () => {
    const instance = await makeInstance();
    expect(await instance.useCases.updateUser({ actor: instance.admin.actor, userId: 'nope', changes: { password: 'long enough password' }, meta })).toEqual({
      ok: false, error: { type: 'UserNotFound', userId: 'nope' },
    });
  });
});

describe('deleteUser', () => {
  it('deletes memberships and sessions and announces UserDeleted', async () => {
    const instance = await makeInstance();
    const ada = await instance.addUser('ada');
    await instance.join(instance.defaultProject.id, ada.id, 'developer');
    const login = await instance.useCases.logIn({ username: 'ada', password: 'ada password!', projectId: null, meta });
    expect(login.ok).toBe(true);
    expect(await instance.useCases.deleteUser({ actor: instance.admin.actor, userId: ada.id, meta })).toEqual({ ok: true, value: undefined });
    const state = instance.state();
    expect(state.users.map((u) => u.username)).toEqual(['admin']);
    expect(state.memberships.filter((m) => m.userId === ada.id)).toEqual([]);
    expect(state.sessions).toEqual([]);
    expect(state.refreshTokens).toEqual([]);
    expect(state.published.at(-1)).toEqual({ type: 'UserDeleted', userId: ada.id, occurredAt: instance.now() });
  });

  it('refuses deleting yourself and the last admin', async () => {
    const instance = await makeInstance();
    expect(await instance.useCases.deleteUser({ actor: instance.admin.actor, userId: instance.admin.id, meta })).toEqual({ ok: false, error: { type: 'CannotDeleteSelf' } });
    const other = await instance.addUser('other', { isAdmin: true });
    await instance.useCases.updateUser({ actor: instance.admin.actor, userId: instance.admin.id, changes: { isAdmin: false }, meta });
    const actor = { ...instance.admin.actor, userId: other.id, isAdmin: true };
    expect(await instance.useCases.deleteUser({ actor, userId: other.id, meta })).toEqual({ ok: false, error: { type: 'CannotDeleteSelf' } });
    expect(await instance.useCases.deleteUser({ actor: instance.admin.actor, userId: other.id, meta })).toEqual({ ok: false, error: { type: 'LastAdmin' } });
  });
});

describe('changeOwnPassword and updateOwnProfile', () => {
  async function withSessions() {
    const instance = await makeInstance();
    const ada = await instance.addUser('ada');
    const first = await instance.useCases.logIn({ username: 'ada', password: 'ada password!', projectId: null, meta });
    const second = await instance.useCases.logIn({ username: 'ada', password: 'ada password!', projectId: null, meta });
    if (!first.ok || !second.ok) throw new Error('login failed');
    const actor = { userId: ada.id, apiKeyId: null, isAdmin: false, projectId: null, role: null };
    return { ...instance, ada, actor, current: readFakeToken(first.value.accessToken).sid, other: second.value };
  }

  it('needs the current password, keeps the current session and ends the others', async () => {
    const world = await withSessions();
    const change = (currentPassword: string, newPassword: string) =>
      world.useCases.changeOwnPassword({ actor: world.actor, sessionId: world.current, currentPassword, newPassword, meta });
    expect(await change('wrong guess!!', 'a new password!')).toEqual({ ok: false, error: { type: 'WrongPassword' } });
    expect(await change('ada password!', 'ada')).toMatchObject({ ok: false, error: { type: 'PasswordTooShort' } });
    expect(await change('ada password!', 'a new password!')).toEqual({ ok: true, value: undefined });
    expect(world.state().sessions.map((s) => [s.id === world.current, s.revokedReason])).toEqual([[true, null], [false, 'password_changed']]);
    expect(await world.useCases.refreshSession({ refreshToken: world.other.refreshToken, meta })).toMatchObject({ ok: false });
    expect(await world.useCases.logIn({ username: 'ada', password: 'a new password!', projectId: null, meta })).toMatchObject({ ok: true });
  });

  it('counts wrong current passwords against the login throttle', async () => {
    const world = await withSessions();
    for (let i = 0; i < 10; i++) {
      await world.useCases.changeOwnPassword({ actor: world.actor, sessionId: world.current, currentPassword: 'wrong guess!!', newPassword: 'a new password!', meta });
    }
    expect(await world.useCases.changeOwnPassword({ actor: world.actor, sessionId: world.current, currentPassword: 'ada password!', newPassword: 'a new password!', meta }))
      .toMatchObject({ ok: false, error: { type: 'LoginThrottled' } });
    expect(await world.useCases.logIn({ username: 'ada', password: 'ada password!', projectId: null, meta })).toMatchObject({ ok: false, error: { type: 'LoginThrottled' } });
  });

  it('changes the display name only', async () => {
    const world = await withSessions();
    expect(await world.useCases.updateOwnProfile({ actor: world.actor, displayName: 'Ada Lovelace', meta })).toMatchObject({ ok: true, value: { displayName: 'Ada Lovelace', isAdmin: false } });
    expect(await world.useCases.updateOwnProfile({ actor: world.actor, displayName: '', meta })).toMatchObject({ ok: false, error: { type: 'InvalidDisplayName' } });
  });
});
