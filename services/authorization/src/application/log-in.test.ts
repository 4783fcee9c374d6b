import { describe, expect, it } from 'vitest';
import { makeInstance, meta, readFakeToken } from './fakes.js';

describe('logIn', () => {
  it('opens a session for the first project by name, with a refresh token stored as a hash', async () => {
    const instance = await makeInstance();
    const ada = await instance.addUser('ada');
    const zeta = await instance.addProject('zeta');
    const alpha = await instance.addProject('alpha');
    await instance.join(zeta.id, ada.id, 'owner');
    await instance.join(alpha.id, ada.id, 'viewer');

    const result = await instance.useCases.logIn({ username: 'ada', password: 'ada password!', projectId: null, meta });
    if (!result.ok) throw new Error(result.error.type);
    expect(result.value).toMatchObject({ projectId: alpha.id, expiresIn: 900 });
    const claims = readFakeToken(result.value.accessToken);
    const [session] = instance.state().sessions;
    expect(claims).toMatchObject({ sub: ada.id, name: 'ada', adm: false, pid: alpha.id, role: 'viewer', sid: session?.id });
    expect(instance.state().refreshTokens).toEqual([expect.objectContaining({ sha256: `sha:${result.value.refreshToken}`, sessionId: session?.id, usedAt: null })]);
    expect(instance.state().audit.at(-1)).toMatchObject({ type: 'login', outcome: 'success', actorUserId: ada.id, clientIp: meta.clientIp });
  });

  it('gives the requested project, refuses one that is not theirs as not found, and may give none', async () => {
    const instance = await makeInstance();
    const ada = await instance.addUser('ada');
    const team = await instance.addProject('team');
    await instance.join(team.id, ada.id, 'developer');
    expect(await instance.useCases.logIn({ username: 'ada', password: 'ada password!', projectId: team.id, meta })).toMatchObject({ ok: true, value: { projectId: team.id } });
    expect(await instance.useCases.logIn({ username: 'ada', password: 'ada password!', projectId: instance.defaultProject.id, meta })).toEqual({
      ok: false, error: { type: 'ProjectNotFound', projectId: instance.defaultProject.id },
    });
    await instance.addUser('loner');
    const loner = await instance.useCases.logIn({ username: 'loner', password: 'loner password!', projectId: null, meta });
    expect(loner).toMatchObject({ ok: true, value: { projectId: null } });
    if (loner.ok) expect(readFakeToken(loner.value.accessToken)).not.toHaveProperty('pid');
  });

  it.each([
    ['a wrong password', 'ada', 'not the password', 'wrong_password'],
    ['an unknown user', 'nobody', 'ada password!', 'unknown_user'],
  ])('answers %s exactly like any other failure', async (_case, username, password, reason) => {
    const instance = await makeInstance();
    await instance.addUser('ada');
    expect(await instance.useCases.logIn({ username, password, projectId: null, meta })).toEqual({ ok: false, error: { type: 'InvalidCredentials' } });
    expect(instance.state().sessions).toEqual([]);
    const entry = instance.state().audit.at(-1);
    expect(entry).toMatchObject({ type: 'login', outcome: 'failure', details: { reason } });
    expect(JSON.stringify(entry)).not.toContain(password);
    if (reason === 'unknown_user') expect(JSON.stringify(entry)).not.toContain(username);
  });

  it('refuses a disabled user with the right password', async () => {
    const instance = await makeInstance();
    const ada = await instance.addUser('ada');
    await instance.useCases.updateUser({ actor: instance.admin.actor, userId: ada.id, changes: { disabled: true }, meta });
    expect(await instance.useCases.logIn({ username: 'ada', password: 'ada password!', projectId: null, meta })).toEqual({ ok: false, error: { type: 'InvalidCredentials' } });
  });
});

describe('logIn throttling', () => {
  const attempt = (instance: Awaited<ReturnType<typeof makeInstance>>, password: string, clientIp = meta.clientIp) =>
    instance.useCases.logIn({ username: 'ada', password, projectId: null, meta: { ...meta, clientIp } });

  it('refuses the 11th attempt after 10 failures, even with the right password, until the delay passes', async () => {
    const instance = await makeInstance();
    await instance.addUser('ada');
    for (let i = 0; i < 10; i++) expect(await attempt(instance, 'wrong password')).toMatchObject({ ok: false, error: { type: 'InvalidCredentials' } });
    expect(await attempt(instance, 'ada password!')).toEqual({ ok: false, error: { type: 'LoginThrottled', retryAfterSeconds: 1 } });
    expect(await attempt(instance, 'ada password!', '198.51.100.1')).toMatchObject({ error: { type: 'LoginThrottled' } }); // the username is locked, from anywhere
    instance.advance(1000);
    expect(await attempt(instance, 'ada password!')).toMatchObject({ ok: true });
    expect(instance.state().throttle.filter((c) => c.key.kind === 'username')).toEqual([]);
  });

  it('doubles the delay with each further failure', async () => {
    const instance = await makeInstance();
    await instance.addUser('ada');
    for (let i = 0; i < 10; i++) await attempt(instance, 'wrong password');
    instance.advance(1000);
    await attempt(instance, 'wrong password'); // 11th failure: 2 s
    expect(await attempt(instance, 'ada password!')).toEqual({ ok: false, error: { type: 'LoginThrottled', retryAfterSeconds: 2 } });
    instance.advance(2000);
    await attempt(instance, 'wrong password'); // 12th: 4 s
    expect(await attempt(instance, 'ada password!')).toEqual({ ok: false, error: { type: 'LoginThrottled', retryAfterSeconds: 4 } });
  });

  it('throttles a client address across usernames, at its own higher threshold, and a success does not wipe it', async () => {
    const instance = await makeInstance({ settings: { addressThrottle: { threshold: 15, baseDelayMs: 1000, maxDelayMs: 900_000, forgetAfterMs: 86_400_000 } } });
    await instance.addUser('ada');
    for (let i = 0; i < 14; i++) {
      await instance.useCases.logIn({ username: `guess${i}`, password: 'whatever', projectId: null, meta });
    }
    expect(await attempt(instance, 'ada password!')).toMatchObject({ ok: true });
    await instance.useCases.logIn({ username: 'guess99', password: 'whatever', projectId: null, meta });
    expect(await attempt(instance, 'ada password!')).toMatchObject({ ok: false, error: { type: 'LoginThrottled' } });
    expect(await attempt(instance, 'ada password!', '198.51.100.1')).toMatchObject({ ok: true });
  });

  it('records throttled attempts in the audit log', async () => {
    const instance = await makeInstance();
    await instance.addUser('ada');
    for (let i = 0; i < 11; i++) await attempt(instance, 'wrong password');
    expect(instance.state().audit.at(-1)).toMatchObject({ type: 'login', outcome: 'failure', details: { reason: 'throttled' } });
  });
});
