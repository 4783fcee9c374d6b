import { describe, expect, it } from 'vitest';
import { makeFakes } from './fakes.js';
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

  it.each([
    [undefined, { type: 'AdminPasswordMissing' }],
    ['', { type: 'AdminPasswordMissing' }],
    ['too short', { type: 'PasswordTooShort', minimum: 12 }],
  ])('refuses to start a new instance with admin password %j', async (adminPassword, error) => {
    const { deps, state } = makeFakes();
    expect(await makeUseCases(deps).bootstrapInstance({ adminPassword, traceId })).toEqual({ ok: false, error });
    expect(state()).toEqual({ projects: [], users: [], memberships: [], published: [] });
  });
});

describe('createProject', () => {
  it('rejects a taken name without announcing anything', async () => {
    const { deps, state } = makeFakes();
    const useCases = makeUseCases(deps);
    expect((await useCases.createProject({ name: 'team-a', createdBy: 'u1', traceId })).ok).toBe(true);
    expect(await useCases.createProject({ name: 'team-a', createdBy: 'u2', traceId })).toEqual({
      ok: false, error: { type: 'ProjectNameTaken', name: 'team-a' },
    });
    expect(state().published).toHaveLength(1);
    expect(state().memberships).toHaveLength(1);
  });

  it('rejects a bad name before touching storage', async () => {
    const { deps, state } = makeFakes();
    const result = await makeUseCases(deps).createProject({ name: 'Bad Name', createdBy: 'u1', traceId });
    expect(result).toMatchObject({ ok: false, error: { type: 'InvalidProjectName' } });
    expect(state().projects).toEqual([]);
  });
});
