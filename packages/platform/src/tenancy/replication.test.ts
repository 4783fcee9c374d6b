import { describe, expect, it } from 'vitest';
import { makeFakeApiKeys, makeFakeProjects } from '../testing/tenancy.js';
import type { IssuedApiKey } from './model.js';
import { forgetProject, recordApiKey, recordProject, revokeApiKey } from './replication.js';

const at = new Date('2026-11-01T10:00:00Z');
const announcement = { projectId: 'p1', name: 'default', occurredAt: at };
const issued: IssuedApiKey = { keyId: 'k1', projectId: 'p1', role: 'operator', secretSha256: 'a'.repeat(64), expiresAt: null };
const revokedAt = new Date('2026-11-02T09:00:00Z');

function tenancy() {
  return { projects: makeFakeProjects(), apiKeys: makeFakeApiKeys() };
}

describe('recordProject', () => {
  it('records an announced project once, whatever the number of announcements', async () => {
    const { projects } = tenancy();
    expect(await recordProject({ projects }, announcement)).toEqual({ outcome: 'recorded' });
    expect(await recordProject({ projects }, { ...announcement, name: 'renamed-in-a-replay' })).toEqual({ outcome: 'ignored', reason: 'already_recorded' });
    expect(projects.all()).toEqual([{ id: 'p1', name: 'default', createdAt: at }]);
  });

  it('does not bring back a project deleted before its announcement arrived', async () => {
    const { projects } = tenancy();
    await projects.forget('p1', new Date('2026-11-01T10:05:00Z'));
    expect(await recordProject({ projects }, announcement)).toEqual({ outcome: 'ignored', reason: 'project_deleted' });
    expect(projects.all()).toEqual([]);
  });
});

describe('API key replication', () => {
  it('records an issued key once, however often it is announced', async () => {
    const deps = tenancy();
    expect(await recordApiKey(deps, issued)).toEqual({ outcome: 'recorded' });
    expect(await recordApiKey(deps, { ...issued, role: 'owner' })).toEqual({ outcome: 'recorded' });
    expect(deps.apiKeys.all()).toEqual([{ ...issued, revokedAt: null }]);
  });

  it.each([
    ['issued then revoked', ['issue', 'revoke']],
    ['revoked before its announcement arrived', ['revoke', 'issue']],
    ['revoked, announced, revoked again', ['revoke', 'issue', 'revoke']],
  ] as const)('ends revoked when %s, keeping the first revocation time', async (_case, order) => {
    const deps = tenancy();
    let revocations = 0;
    for (const step of order) {
      if (step === 'issue') await recordApiKey(deps, issued);
      else {
        const when = new Date(revokedAt.getTime() + 86_400_000 * revocations++);
        expect(await revokeApiKey(deps, { keyId: 'k1', projectId: 'p1', revokedAt: when })).toEqual({ outcome: 'revoked' });
      }
    }
    const keys = deps.apiKeys.all();
    expect(keys).toHaveLength(1);
    expect(keys[0]?.revokedAt).toEqual(revokedAt);
  });

  it('neither records nor revokes a key of a project already deleted here', async () => {
    const deps = tenancy();
    await deps.projects.forget('p1', revokedAt);
    expect(await recordApiKey(deps, issued)).toEqual({ outcome: 'ignored', reason: 'project_deleted' });
    expect(await revokeApiKey(deps, { keyId: 'k1', projectId: 'p1', revokedAt })).toEqual({ outcome: 'ignored', reason: 'project_deleted' });
    expect(deps.apiKeys.all()).toEqual([]);
  });
});

describe('forgetProject', () => {
  async function twoProjects() {
    const deps = tenancy();
    for (const id of ['doomed', 'kept']) {
      await recordProject(deps, { projectId: id, name: id, occurredAt: at });
      await recordApiKey(deps, { keyId: `${id}-key`, projectId: id, role: 'viewer', secretSha256: id.padEnd(64, '0'), expiresAt: null });
    }
    return deps;
  }

  it('deletes the service\'s data, the project and its keys, and nothing of another project', async () => {
    const deps = await twoProjects();
    const dataDeleted: string[] = [];
    const deleteProjectData = async (projectId: string) => {
      dataDeleted.push(projectId);
      return { objectsDeleted: 3 };
    };
    expect(await forgetProject({ ...deps, deleteProjectData }, { projectId: 'doomed', occurredAt: at }))
      .toEqual({ projectWasKnown: true, data: { objectsDeleted: 3 } });
    expect(dataDeleted).toEqual(['doomed']);
    expect(deps.projects.all().map((project) => project.id)).toEqual(['kept']);
    expect(deps.apiKeys.all().map((key) => key.keyId)).toEqual(['kept-key']);
    expect(deps.projects.deleted()).toEqual(['doomed']);
  });

  it('touches no row when the service\'s own deletion fails, so a retry finds the project unfinished', async () => {
    const deps = await twoProjects();
    const failing = async () => {
      throw new Error('object store unreachable');
    };
    await expect(forgetProject({ ...deps, deleteProjectData: failing }, { projectId: 'doomed', occurredAt: at })).rejects.toThrow('unreachable');
    expect(deps.projects.all().map((project) => project.id)).toEqual(['doomed', 'kept']);
    expect(deps.apiKeys.all()).toHaveLength(2);
  });

  it('changes nothing more when run again, and accepts a project it never knew', async () => {
    const deps = await twoProjects();
    const deleteProjectData = async () => undefined;
    await forgetProject({ ...deps, deleteProjectData }, { projectId: 'doomed', occurredAt: at });
    expect(await forgetProject({ ...deps, deleteProjectData }, { projectId: 'doomed', occurredAt: at })).toEqual({ projectWasKnown: false, data: undefined });
    expect(await forgetProject({ ...deps, deleteProjectData }, { projectId: 'never-seen', occurredAt: at })).toEqual({ projectWasKnown: false, data: undefined });
    expect(deps.projects.all().map((project) => project.id)).toEqual(['kept']);
  });
});
