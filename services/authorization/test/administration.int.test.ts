import { describe, expect, it } from 'vitest';
import * as pb from '../src/infrastructure/pb/authorization/v1/events.js';
import { ADMIN_PASSWORD, useAuthorization } from './support.js';

const service = useAuthorization();

async function asAdmin() {
  return (await service.login('admin', ADMIN_PASSWORD)).access_token;
}

async function createUser(admin: string, username: string) {
  const answer = await service.call('POST', '/users', { token: admin, body: { username, password: `${username} password!`, display_name: username.toUpperCase() } });
  expect(answer.status).toBe(201);
  return answer.body.id as string;
}

async function createProject(admin: string, name: string) {
  const answer = await service.call('POST', '/projects', { token: admin, body: { name } });
  expect(answer.status).toBe(201);
  return answer.body.id as string;
}

describe('members, through HTTP', () => {
  it('lets an owner manage members and keeps the last owner, announcing MembershipChanged', async () => {
    const admin = await asAdmin();
    const projectId = await createProject(admin, 'members-a');
    const ownerId = await createUser(admin, 'owner-a');
    const devId = await createUser(admin, 'dev-a');
    expect((await service.call('POST', `/projects/${projectId}/members`, { token: admin, body: { user_id: ownerId, role: 'owner' } })).status).toBe(201);
    expect((await service.call('DELETE', `/projects/${projectId}/members/${(await service.call('GET', '/me', { token: admin })).body.user.id}`, { token: admin })).status).toBe(204);

    const owner = (await service.login('owner-a', 'owner-a password!', projectId)).access_token;
    const added = await service.call('POST', `/projects/${projectId}/members`, { token: owner, body: { username: 'dev-a', role: 'developer' } });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ project_id: projectId, user_id: devId, role: 'developer' });
    expect((await service.call('POST', `/projects/${projectId}/members`, { token: owner, body: { user_id: devId, role: 'viewer' } })).body.code).toBe('already_member');

    const list = await service.call('GET', `/projects/${projectId}/members`, { token: owner });
    expect(list.body).toEqual({
      items: [
        expect.objectContaining({ user_id: devId, username: 'dev-a', display_name: 'DEV-A', role: 'developer' }),
        expect.objectContaining({ user_id: ownerId, username: 'owner-a', role: 'owner' }),
      ],
      next: null,
    });

    const lastOwner = await service.call('PATCH', `/projects/${projectId}/members/${ownerId}`, { token: owner, body: { role: 'viewer' } });
    expect(lastOwner.status).toBe(409);
    expect(lastOwner.body.code).toBe('last_owner');
    expect((await service.call('DELETE', `/projects/${projectId}/members/${ownerId}`, { token: owner })).body.code).toBe('last_owner');

    const dev = (await service.login('dev-a', 'dev-a password!', projectId)).access_token;
    expect((await service.call('GET', `/projects/${projectId}/members`, { token: dev })).status).toBe(200);
    const forbidden = await service.call('DELETE', `/projects/${projectId}/members/${ownerId}`, { token: dev });
    expect(forbidden.status).toBe(403);

    expect((await service.call('PATCH', `/projects/${projectId}/members/${devId}`, { token: owner, body: { role: 'owner' } })).status).toBe(200);
    expect((await service.call('DELETE', `/projects/${projectId}/members/${ownerId}`, { token: owner })).status).toBe(204);
    // The removed owner's token stops working on project routes of authorization at once.
    expect((await service.call('GET', `/projects/${projectId}/members`, { token: owner })).status).toBe(403);

    const changes = await service.database.db.selectFrom('outbox').select('payload').where('message_type', '=', 'trellis.authorization.v1.MembershipChanged').orderBy('seq').execute();
    const forProject = changes.map((row) => pb.MembershipChanged.decode(row.payload)).filter((m) => m.projectId === projectId);
    expect(forProject.map((m) => [m.userId, m.role])).toEqual([
      [ownerId, 'owner'], [expect.any(String), ''], [devId, 'developer'], [devId, 'owner'], [ownerId, ''],
    ]);
  });

  it('answers 404 for another project\'s members and keys, whatever the caller\'s role there', async () => {
    const admin = await asAdmin();
    const secretProject = await createProject(admin, 'secret-b');
    const otherProject = await createProject(admin, 'other-b');
    const userId = await createUser(admin, 'outsider-b');
    await service.call('POST', `/projects/${otherProject}/members`, { token: admin, body: { user_id: userId, role: 'owner' } });
    const outsider = (await service.login('outsider-b', 'outsider-b password!', otherProject)).access_token;

    for (const [method, path, body] of [
      ['GET', `/projects/${secretProject}/members`, undefined],
      ['POST', `/projects/${secretProject}/members`, { user_id: userId, role: 'owner' }],
      ['PATCH', `/projects/${secretProject}/members/${userId}`, { role: 'owner' }],
      ['DELETE', `/projects/${secretProject}/members/${userId}`, undefined],
      ['GET', `/projects/${secretProject}/api-keys`, undefined],
      ['POST', `/projects/${secretProject}/api-keys`, { name: 'x', role: 'owner' }],
      ['DELETE', `/projects/${secretProject}/api-keys/${userId}`, undefined],
      ['GET', `/projects/00000000-0000-4000-8000-000000000000/members`, undefined],
    ] as const) {
      const answer = await service.call(method, path, { token: outsider, body });
      expect([method, path, answer.status, answer.body.code]).toEqual([method, path, 404, 'project_not_found']);
    }
    // Admin routes are for admins only.
    expect((await service.call('GET', `/projects/${secretProject}`, { token: outsider })).status).toBe(403);
    // An instance admin manages any project's members, whatever their token's project.
    expect((await service.call('GET', `/projects/${otherProject}/members`, { token: admin })).status).toBe(200);
  });
});

describe('projects and users, through HTTP', () => {
  it('renames and deletes a project; the deletion cascades and is announced with ProjectDeleted', async () => {
    const admin = await asAdmin();
    const projectId = await createProject(admin, 'doomed-c');
    const renamed = await service.call('PATCH', `/projects/${projectId}`, { token: admin, body: { title: 'Doomed project' } });
    expect(renamed.body).toMatchObject({ id: projectId, name: 'doomed-c', title: 'Doomed project' });
    const switched = await service.call('POST', '/token/switch', { token: admin, body: { project_id: projectId } });
    await service.call('POST', `/projects/${projectId}/api-keys`, { token: switched.body.access_token, body: { name: 'k', role: 'viewer' } });

    expect((await service.call('DELETE', `/projects/${projectId}`, { token: admin })).status).toBe(204);
    expect((await service.call('GET', `/projects/${projectId}`, { token: admin })).status).toBe(404);
    expect((await service.call('DELETE', `/projects/${projectId}`, { token: admin })).status).toBe(404);
    const db = service.database.db;
    expect(await db.selectFrom('memberships').select('user_id').where('project_id', '=', projectId).execute()).toEqual([]);
    expect(await db.selectFrom('api_keys').select('id').where('project_id', '=', projectId).execute()).toEqual([]);

    const [deleted] = await db.selectFrom('outbox').selectAll().where('message_type', '=', 'trellis.authorization.v1.ProjectDeleted').execute();
    const event = pb.ProjectDeleted.decode(deleted?.payload ?? new Uint8Array());
    expect(event).toMatchObject({ projectId, deletedBy: (await service.call('GET', '/me', { token: admin })).body.user.id });
    expect(event.meta).toMatchObject({ eventId: deleted?.message_id, projectId, traceId: expect.any(String) });
    expect(deleted?.headers).toMatchObject({ 'x-project-id': projectId });

    const audit = await service.call('GET', `/audit?type=project_deleted&project_id=${projectId}`, { token: admin });
    expect(audit.body.items).toEqual([expect.objectContaining({ type: 'project_deleted', project_id: projectId, outcome: 'success' })]);
  });

  it('manages users, refusing to delete yourself or the last admin, and announces UserDeleted', async () => {
    const admin = await asAdmin();
    const me = (await service.call('GET', '/me', { token: admin })).body.user.id;
    const userId = await createUser(admin, 'temp-d');
    expect((await service.call('GET', `/users/${userId}`, { token: admin })).body).toMatchObject({ username: 'temp-d', is_admin: false, disabled: false });
    expect((await service.call('POST', '/users', { token: admin, body: { username: 'temp-d', password: 'another password' } })).body.code).toBe('username_taken');
    expect((await service.call('POST', '/users', { token: admin, body: { username: 'weak-d', password: 'short' } })).body.code).toBe('password_too_short');
    expect((await service.call('POST', '/users', { token: admin, body: { username: 'weak-d', password: 'weak-d', email: 'x' } })).status).toBe(400);

    const updated = await service.call('PATCH', `/users/${userId}`, { token: admin, body: { email: 'temp@example.com', display_name: 'Temp' } });
    expect(updated.body).toMatchObject({ email: 'temp@example.com', display_name: 'Temp' });
    expect(updated.text).not.toContain('password');

    const self = await service.call('DELETE', `/users/${me}`, { token: admin });
    expect([self.status, self.body.code]).toEqual([409, 'cannot_delete_self']);
    const demoteSelf = await service.call('PATCH', `/users/${me}`, { token: admin, body: { is_admin: false } });
    expect([demoteSelf.status, demoteSelf.body.code]).toEqual([409, 'last_admin']);

    await service.call('POST', `/projects/${(await service.call('GET', '/me', { token: admin })).body.current_project.id}/members`, { token: admin, body: { user_id: userId, role: 'viewer' } });
    expect((await service.call('DELETE', `/users/${userId}`, { token: admin })).status).toBe(204);
    expect((await service.call('GET', `/users/${userId}`, { token: admin })).status).toBe(404);
    expect(await service.database.db.selectFrom('memberships').select('project_id').where('user_id', '=', userId).execute()).toEqual([]);
    const rows = await service.database.db.selectFrom('outbox').select('payload').where('message_type', '=', 'trellis.authorization.v1.UserDeleted').execute();
    expect(rows.map((row) => pb.UserDeleted.decode(row.payload).userId)).toEqual([userId]);
  });

  it('pages users and projects with a next cursor', async () => {
    const admin = await asAdmin();
    for (const name of ['page-e1', 'page-e2', 'page-e3']) await createUser(admin, name);
    const names: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { body: { items: Array<{ username: string }>; next: string | null } } = await service.call('GET', `/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: admin });
      names.push(...page.body.items.map((user) => user.username));
      cursor = page.body.next;
    }
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['admin', 'page-e1', 'page-e2', 'page-e3']));
    const projects = await service.call('GET', '/projects?limit=1', { token: admin });
    expect(projects.body.items).toHaveLength(1);
    expect(projects.body.next).toEqual(expect.any(String));
  });

  it('lets a user change their own password and display name', async () => {
    const admin = await asAdmin();
    await createUser(admin, 'self-f');
    const first = await service.login('self-f', 'self-f password!');
    const other = await service.login('self-f', 'self-f password!');
    const wrong = await service.call('POST', '/me/password', { token: first.access_token, body: { current_password: 'not it at all', new_password: 'a brand new password' } });
    expect([wrong.status, wrong.body.code]).toEqual([403, 'wrong_password']);
    expect((await service.call('POST', '/me/password', { token: first.access_token, body: { current_password: 'self-f password!', new_password: 'a brand new password' } })).status).toBe(204);
    expect((await service.call('GET', '/me', { token: first.access_token })).status).toBe(200);
    expect((await service.call('GET', '/me', { token: other.access_token })).status).toBe(401);
    expect((await service.call('POST', '/login', { body: { username: 'self-f', password: 'a brand new password' } })).status).toBe(200);
    const renamed = await service.call('PATCH', '/me', { token: first.access_token, body: { display_name: 'Self F.' } });
    expect(renamed.body.display_name).toBe('Self F.');
    expect((await service.call('GET', '/me/projects', { token: first.access_token })).body).toEqual({ items: [] });
  });

  it('lets admins filter the audit log by user and time, and hides it from everyone else', async () => {
    const admin = await asAdmin();
    const userId = await createUser(admin, 'audited-g');
    await service.call('POST', '/login', { body: { username: 'audited-g', password: 'wrong password!!' } });
    const since = new Date(Date.now() - 60_000).toISOString();
    const entries = await service.call('GET', `/audit?user_id=${userId}&since=${encodeURIComponent(since)}`, { token: admin });
    expect(entries.body.items.map((e: { type: string; outcome: string }) => [e.type, e.outcome])).toEqual([['login', 'failure'], ['user_created', 'success']]);
    expect(entries.body.items[0]).toMatchObject({ target_id: userId, details: { reason: 'wrong_password' }, client_ip: expect.any(String) });
    expect(entries.text).not.toContain('wrong password!!');
    const future = await service.call('GET', `/audit?user_id=${userId}&until=${encodeURIComponent(since)}`, { token: admin });
    expect(future.body.items).toEqual([]);
    const user = (await service.login('audited-g', 'audited-g password!')).access_token;
    expect((await service.call('GET', '/audit', { token: user })).status).toBe(403);
  });
});
