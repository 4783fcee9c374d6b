import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, peek, useAuthorization } from './support.js';

const service = useAuthorization();

async function aSecondProject() {
  const admin = await service.login('admin', ADMIN_PASSWORD);
  const created = await service.call('POST', '/projects', { token: admin.access_token, body: { name: `second-${Date.now()}`, title: 'Second' } });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

describe('tokens, end to end through HTTP', () => {
  it('logs in, says who I am, refreshes, detects reuse (revoking the newest token too), and logs out', async () => {
    const login = await service.call('POST', '/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(login.status).toBe(200);
    expect(login.headers.get('cache-control')).toBe('no-store');
    expect(login.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, project_id: expect.any(String) });
    const { header, claims } = peek(login.body.access_token);
    expect(header).toMatchObject({ alg: 'EdDSA', kid: expect.any(String) });
    expect(claims).toMatchObject({ iss: 'trellis', aud: 'trellis', name: 'admin', adm: true, pid: login.body.project_id, role: 'owner' });
    expect(Object.keys(claims).sort()).toEqual(['adm', 'aud', 'exp', 'iat', 'iss', 'jti', 'name', 'pid', 'role', 'sid', 'sub']);
    expect(Number(claims['exp']) - Number(claims['iat'])).toBe(900);
    expect(login.body.refresh_token).toMatch(/^trr_[A-Za-z0-9_-]{43}$/);

    const me = await service.call('GET', '/me', { token: login.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      user: { username: 'admin', is_admin: true, display_name: 'Administrator', email: null },
      projects: [{ name: 'default', role: 'owner' }],
      current_project: { id: login.body.project_id, name: 'default', role: 'owner' },
    });

    const refreshed = await service.call('POST', '/token/refresh', { body: { refresh_token: login.body.refresh_token } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(login.body.refresh_token);
    expect(peek(refreshed.body.access_token).claims['sid']).toBe(claims['sid']);
    expect((await service.call('GET', '/me', { token: refreshed.body.access_token })).status).toBe(200);

    const reused = await service.call('POST', '/token/refresh', { body: { refresh_token: login.body.refresh_token } });
    expect(reused.status).toBe(401);
    expect(reused.body.code).toBe('invalid_refresh_token');
    const newest = await service.call('POST', '/token/refresh', { body: { refresh_token: refreshed.body.refresh_token } });
    expect(newest.status).toBe(401);
    // Authorization checks its own tokens against the session: the revoked family's access tokens stop here at once.
    expect((await service.call('GET', '/me', { token: refreshed.body.access_token })).status).toBe(401);

    const second = await service.login('admin', ADMIN_PASSWORD);
    const logout = await service.call('POST', '/logout', { token: second.access_token });
    expect(logout.status).toBe(204);
    expect((await service.call('POST', '/token/refresh', { body: { refresh_token: second.refresh_token } })).status).toBe(401);
    expect((await service.call('GET', '/me', { token: second.access_token })).status).toBe(401);

    const audit = await service.call('GET', '/audit?limit=200', { token: (await service.login('admin', ADMIN_PASSWORD)).access_token });
    expect(audit.body.items.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['login', 'refresh_token_reused', 'logout']));
  });

  it('switches to another project of the user in the same session, and answers 404 for a foreign one', async () => {
    const secondProject = await aSecondProject();
    const login = await service.login('admin', ADMIN_PASSWORD);
    const switched = await service.call('POST', '/token/switch', { token: login.access_token, body: { project_id: secondProject } });
    expect(switched.status).toBe(200);
    expect(switched.body.project_id).toBe(secondProject);
    expect(peek(switched.body.access_token).claims).toMatchObject({ pid: secondProject, role: 'owner', sid: peek(login.access_token).claims['sid'] });
    expect((await service.call('GET', '/me', { token: switched.body.access_token })).body.current_project.id).toBe(secondProject);
    // The pair from before the switch is used up; only the newest refresh token of the family works.
    expect((await service.call('POST', '/token/refresh', { body: { refresh_token: switched.body.refresh_token } })).status).toBe(200);

    const foreign = await service.call('POST', '/token/switch', { token: login.access_token, body: { project_id: '8c1e7d8e-2f8c-4a55-9a6c-0d3c1b9f4e21' } });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('project_not_found');
  });

  it('logs in to a requested project, or answers 404 for one the user is not in', async () => {
    const secondProject = await aSecondProject();
    expect((await service.login('admin', ADMIN_PASSWORD, secondProject)).project_id).toBe(secondProject);
    const admin = await service.login('admin', ADMIN_PASSWORD);
    const ada = await service.call('POST', '/users', { token: admin.access_token, body: { username: 'ada', password: 'ada secret pass' } });
    expect(ada.status).toBe(201);
    const refused = await service.call('POST', '/login', { body: { username: 'ada', password: 'ada secret pass', project_id: secondProject } });
    expect(refused.status).toBe(404);
    const nowhere = await service.login('ada', 'ada secret pass');
    expect(nowhere.project_id).toBeNull();
    expect(peek(nowhere.access_token).claims).not.toHaveProperty('pid');
  });

  it('publishes the key that signed every token it issues', async () => {
    const login = await service.login('admin', ADMIN_PASSWORD);
    const jwks = await service.call('GET', '/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys).toContainEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: peek(login.access_token).header['kid'], alg: 'EdDSA', use: 'sig' });
    expect(JSON.stringify(jwks.body)).not.toMatch(/"d"/);
  });

  it('refuses disabled users at login and refresh, and their tokens at once', async () => {
    const admin = await service.login('admin', ADMIN_PASSWORD);
    const created = await service.call('POST', '/users', { token: admin.access_token, body: { username: 'soon-gone', password: 'soon gone password' } });
    const bob = await service.login('soon-gone', 'soon gone password');
    expect((await service.call('PATCH', `/users/${created.body.id}`, { token: admin.access_token, body: { disabled: true } })).status).toBe(200);
    expect((await service.call('POST', '/login', { body: { username: 'soon-gone', password: 'soon gone password' } })).status).toBe(401);
    expect((await service.call('POST', '/token/refresh', { body: { refresh_token: bob.refresh_token } })).status).toBe(401);
    expect((await service.call('GET', '/me', { token: bob.access_token })).status).toBe(401);
  });
});
