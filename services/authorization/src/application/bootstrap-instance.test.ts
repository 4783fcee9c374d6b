import { describe, expect, it } from 'vitest';
import { emptyState, makeFakes, makeInstance, meta } from './fakes.js';
import { makeUseCases } from './use-cases.js';

const traceId = 'trace-1';

describe('bootstrapInstance', () => {
  it('creates admin and the default project owned by admin, announcing it once', async () => {
    const { deps, state } = makeFakes();
    const useCases = makeUseCases(deps);
    expect(await useCases.bootstrapInstance({ adminPassword: 'a long enough secret', traceId })).toEqual({
      ok: true, value: { adminCreated: true, defaultProjectCreated: true },
    });
    const [admin] = state().users;
    expect(admin).toMatchObject({ username: 'admin', isAdmin: true, passwordHash: 'hashed:a long enough secret' });
    expect(state().projects.map((p) => p.name)).toEqual(['default']);
    expect(state().memberships).toEqual([{ projectId: state().projects[0]?.id, userId: admin?.id, role: 'owner', createdAt: expect.any(Date) }]);
    expect(state().published.map((e) => e.type)).toEqual(['ProjectCreated']);
    expect(state().audit.map((e) => e.type)).toEqual(['user_created', 'project_created']);
  });

  it('changes nothing on a second start, even without the password', async () => {
    const { deps, state } = makeFakes();
    const useCases = makeUseCases(deps);
    await useCases.bootstrapInstance({ adminPassword: 'a long enough secret', traceId });
    const before = state();
    expect(await useCases.bootstrapInstance({ adminPassword: undefined, traceId })).toEqual({
      ok: true, value: { adminCreated: false, defaultProjectCreated: false },
    });
    expect(state()).toEqual(before);
  });

  it('does not bring back a default project that was deleted on purpose', async () => {
    const instance = await makeInstance();
    expect((await instance.useCases.deleteProject({ actor: instance.admin.actor, projectId: instance.defaultProject.id, meta })).ok).toBe(true);
    await instance.useCases.bootstrapInstance({ adminPassword: undefined, traceId });
    expect(instance.state().projects).toEqual([]);
  });

  it.each([
    [undefined, { type: 'AdminPasswordMissing' }],
    ['', { type: 'AdminPasswordMissing' }],
    ['too short', { type: 'PasswordTooShort', minimum: 12 }],
  ])('refuses to start a new instance with admin password %j', async (adminPassword, error) => {
    const { deps, state } = makeFakes();
    expect(await makeUseCases(deps).bootstrapInstance({ adminPassword, traceId })).toEqual({ ok: false, error });
    expect(state()).toEqual(emptyState());
  });
});
