import { describe, expect, it } from 'vitest';
import { makeInstance, meta } from './fakes.js';

describe('createProject', () => {
  it('makes the creating admin its owner and announces it', async () => {
    const instance = await makeInstance();
    const result = await instance.useCases.createProject({ actor: instance.admin.actor, name: 'team-a', title: 'Team A', meta });
    expect(result).toMatchObject({ ok: true, value: { name: 'team-a', title: 'Team A', createdBy: instance.admin.id } });
    const project = instance.state().projects.find((p) => p.name === 'team-a');
    expect(instance.state().memberships).toContainEqual(expect.objectContaining({ projectId: project?.id, userId: instance.admin.id, role: 'owner' }));
    expect(instance.state().published.at(-1)).toMatchObject({ type: 'ProjectCreated', projectId: project?.id, name: 'team-a', createdBy: instance.admin.id });
    expect(instance.state().audit.at(-1)).toMatchObject({ type: 'project_created', actorUserId: instance.admin.id, projectId: project?.id, clientIp: meta.clientIp });
  });

  it('rejects a taken name without announcing anything', async () => {
    const instance = await makeInstance();
    await instance.addProject('team-a');
    const before = instance.state();
    expect(await instance.useCases.createProject({ actor: instance.admin.actor, name: 'team-a', meta })).toEqual({
      ok: false, error: { type: 'ProjectNameTaken', name: 'team-a' },
    });
    expect(instance.state()).toEqual(before);
  });

  it('rejects a bad name before touching storage', async () => {
    const instance = await makeInstance();
    const before = instance.state();
    expect(await instance.useCases.createProject({ actor: instance.admin.actor, name: 'Bad Name', meta })).toMatchObject({ ok: false, error: { type: 'InvalidProjectName' } });
    expect(instance.state()).toEqual(before);
  });
});

describe('updateProject', () => {
  it('changes the title only', async () => {
    const instance = await makeInstance();
    const result = await instance.useCases.updateProject({ actor: instance.admin.actor, projectId: instance.defaultProject.id, title: 'Our default', meta });
    expect(result).toEqual({ ok: true, value: { ...instance.defaultProject, title: 'Our default' } });
    expect(instance.state().audit.at(-1)).toMatchObject({ type: 'project_updated', details: { fields: ['title'] } });
  });

  it('answers not found for an unknown project', async () => {
    const instance = await makeInstance();
    expect(await instance.useCases.updateProject({ actor: instance.admin.actor, projectId: 'nope', title: null, meta })).toEqual({
      ok: false, error: { type: 'ProjectNotFound', projectId: 'nope' },
    });
  });
});

describe('deleteProject', () => {
  it('deletes memberships and API keys with it, forgets it in sessions, and announces ProjectDeleted', async () => {
    const instance = await makeInstance();
    const project = await instance.addProject('doomed');
    const ada = await instance.addUser('ada');
    await instance.join(project.id, ada.id, 'developer');
    const asOwner = { ...instance.admin.actor, projectId: project.id, role: 'owner' as const };
    expect((await instance.useCases.issueApiKey({ actor: asOwner, projectId: project.id, name: 'ci', role: 'viewer', expiresAt: null, meta })).ok).toBe(true);
    const login = await instance.useCases.logIn({ username: 'ada', password: 'ada password!', projectId: project.id, meta });
    expect(login.ok).toBe(true);

    expect(await instance.useCases.deleteProject({ actor: instance.admin.actor, projectId: project.id, meta })).toEqual({ ok: true, value: undefined });
    const state = instance.state();
    expect(state.projects.map((p) => p.name)).toEqual(['default']);
    expect(state.memberships.filter((m) => m.projectId === project.id)).toEqual([]);
    expect(state.apiKeys).toEqual([]);
    expect(state.sessions.map((s) => s.projectId)).toEqual([null]);
    expect(state.published.at(-1)).toEqual({ type: 'ProjectDeleted', projectId: project.id, deletedBy: instance.admin.id, occurredAt: instance.now() });
    expect(state.audit.at(-1)).toMatchObject({ type: 'project_deleted', projectId: project.id, details: { name: 'doomed' } });
  });

  it('answers not found twice', async () => {
    const instance = await makeInstance();
    await instance.useCases.deleteProject({ actor: instance.admin.actor, projectId: instance.defaultProject.id, meta });
    expect(await instance.useCases.deleteProject({ actor: instance.admin.actor, projectId: instance.defaultProject.id, meta })).toMatchObject({
      ok: false, error: { type: 'ProjectNotFound' },
    });
    expect(instance.state().published.filter((e) => e.type === 'ProjectDeleted')).toHaveLength(1);
  });
});
