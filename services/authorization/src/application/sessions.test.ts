import { describe, expect, it } from 'vitest';
import { makeInstance, meta, readFakeToken, userActor } from './fakes.js';

async function loggedIn() {
  const instance = await makeInstance();
  const ada = await instance.addUser('ada');
  const team = await instance.addProject('team');
  await instance.join(team.id, ada.id, 'operator');
  await instance.join(instance.defaultProject.id, ada.id, 'viewer');
  const login = await instance.useCases.logIn({ username: 'ada', password: 'ada password!', projectId: team.id, meta });
  if (!login.ok) throw new Error(login.error.type);
  const claims = readFakeToken(login.value.accessToken);
  const actor = userActor(ada, { id: team.id, role: 'operator' });
  return { ...instance, ada, team, login: login.value, sessionId: claims.sid, actor };
}

describe('refreshSession', () => {
  it('rotates the refresh token and keeps the session and project', async () => {
    const world = await loggedIn();
    world.advance(60_000);
    const refreshed = await world.useCases.refreshSession({ refreshToken: world.login.refreshToken, meta });
    if (!refreshed.ok) throw new Error(refreshed.error.type);
    expect(refreshed.value.refreshToken).not.toBe(world.login.refreshToken);
    expect(readFakeToken(refreshed.value.accessToken)).toMatchObject({ sid: world.sessionId, pid: world.team.id, role: 'operator' });
    expect(world.state().refreshTokens.map((t) => t.usedAt === null)).toEqual([false, true]);
  });

  it('revokes the whole family when a used token comes back: the newest token stops working too', async () => {
    const world = await loggedIn();
    const second = await world.useCases.refreshSession({ refreshToken: world.login.refreshToken, meta });
    if (!second.ok) throw new Error(second.error.type);
    expect(await world.useCases.refreshSession({ refreshToken: world.login.refreshToken, meta })).toEqual({ ok: false, error: { type: 'InvalidRefreshToken' } });
    expect(world.state().sessions[0]).toMatchObject({ revokedReason: 'refresh_token_reused' });
    expect(await world.useCases.refreshSession({ refreshToken: second.value.refreshToken, meta })).toEqual({ ok: false, error: { type: 'InvalidRefreshToken' } });
    expect(world.state().audit.filter((e) => e.type === 'refresh_token_reused')).toHaveLength(1);
  });

  it('refuses an expired token, an unknown one, and a disabled or deleted user\'s', async () => {
    const world = await loggedIn();
    expect(await world.useCases.refreshSession({ refreshToken: 'made-up', meta })).toMatchObject({ ok: false });
    world.advance(30 * 86_400_000);
    expect(await world.useCases.refreshSession({ refreshToken: world.login.refreshToken, meta })).toMatchObject({ ok: false });

    const other = await loggedIn();
    await other.useCases.updateUser({ actor: other.admin.actor, userId: other.ada.id, changes: { disabled: true }, meta });
    expect(await other.useCases.refreshSession({ refreshToken: other.login.refreshToken, meta })).toMatchObject({ ok: false });

    const third = await loggedIn();
    await third.useCases.deleteUser({ actor: third.admin.actor, userId: third.ada.id, meta });
    expect(await third.useCases.refreshSession({ refreshToken: third.login.refreshToken, meta })).toMatchObject({ ok: false });
  });

  it('follows membership changes: a new role, or the first remaining project once removed', async () => {
    const world = await loggedIn();
    const adminOfTeam = { ...world.admin.actor, projectId: world.team.id };
    await world.useCases.changeMemberRole({ actor: adminOfTeam, projectId: world.team.id, userId: world.ada.id, role: 'developer', meta });
    const promoted = await world.useCases.refreshSession({ refreshToken: world.login.refreshToken, meta });
    if (!promoted.ok) throw new Error(promoted.error.type);
    expect(readFakeToken(promoted.value.accessToken)).toMatchObject({ pid: world.team.id, role: 'developer' });
    await world.useCases.removeMember({ actor: adminOfTeam, projectId: world.team.id, userId: world.ada.id, meta });
    const moved = await world.useCases.refreshSession({ refreshToken: promoted.value.refreshToken, meta });
    expect(moved).toMatchObject({ ok: true, value: { projectId: world.defaultProject.id } });
  });
});

describe('switchProject', () => {
  it('gives a pair for another of the user\'s projects in the same family, using up the old refresh token', async () => {
    const world = await loggedIn();
    const switched = await world.useCases.switchProject({ actor: world.actor, sessionId: world.sessionId, projectId: world.defaultProject.id, meta });
    if (!switched.ok) throw new Error(switched.error.type);
    expect(readFakeToken(switched.value.accessToken)).toMatchObject({ sid: world.sessionId, pid: world.defaultProject.id, role: 'viewer' });
    expect(await world.useCases.refreshSession({ refreshToken: switched.value.refreshToken, meta })).toMatchObject({ ok: true, value: { projectId: world.defaultProject.id } });
  });

  it('answers not found for a project the user is not in, and refuses an ended session', async () => {
    const world = await loggedIn();
    const other = await world.addProject('other');
    expect(await world.useCases.switchProject({ actor: world.actor, sessionId: world.sessionId, projectId: other.id, meta })).toEqual({
      ok: false, error: { type: 'ProjectNotFound', projectId: other.id },
    });
    await world.useCases.logOut({ actor: world.actor, sessionId: world.sessionId, meta });
    expect(await world.useCases.switchProject({ actor: world.actor, sessionId: world.sessionId, projectId: world.defaultProject.id, meta })).toEqual({
      ok: false, error: { type: 'SessionEnded' },
    });
  });

  it('will not move someone else\'s session', async () => {
    const world = await loggedIn();
    const mallory = await world.addUser('mallory');
    const result = await world.useCases.switchProject({ actor: userActor(mallory), sessionId: world.sessionId, projectId: world.team.id, meta });
    expect(result).toEqual({ ok: false, error: { type: 'SessionEnded' } });
  });
});

describe('logOut', () => {
  it('revokes the family, so its refresh token stops working; twice is harmless', async () => {
    const world = await loggedIn();
    await world.useCases.logOut({ actor: world.actor, sessionId: world.sessionId, meta });
    await world.useCases.logOut({ actor: world.actor, sessionId: world.sessionId, meta });
    expect(world.state().sessions[0]).toMatchObject({ revokedReason: 'logout' });
    expect(await world.useCases.refreshSession({ refreshToken: world.login.refreshToken, meta })).toMatchObject({ ok: false });
    expect(world.state().audit.filter((e) => e.type === 'logout')).toHaveLength(1);
  });

  it('also ends the family of a given refresh token of the same user, not another user\'s', async () => {
    const world = await loggedIn();
    const second = await world.useCases.logIn({ username: 'ada', password: 'ada password!', projectId: null, meta });
    await world.addUser('bob');
    const bobs = await world.useCases.logIn({ username: 'bob', password: 'bob password!', projectId: null, meta });
    if (!second.ok || !bobs.ok) throw new Error('login failed');
    await world.useCases.logOut({ actor: world.actor, sessionId: world.sessionId, refreshToken: second.value.refreshToken, meta });
    await world.useCases.logOut({ actor: world.actor, sessionId: null, refreshToken: bobs.value.refreshToken, meta });
    expect(world.state().sessions.map((s) => s.revokedReason)).toEqual(['logout', 'logout', null]);
  });
});
