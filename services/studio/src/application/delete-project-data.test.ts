import { describe, expect, it } from 'vitest';
import { deleteProjectData } from './delete-project-data.js';
import { makeFakeApiKeys, makeFakeProjects } from './fakes.js';
import { recordApiKey } from './record-api-key.js';
import { recordProject } from './record-project.js';

const at = new Date('2026-11-01T10:00:00Z');

async function twoProjects() {
  const deps = { projects: makeFakeProjects(), apiKeys: makeFakeApiKeys() };
  for (const id of ['doomed', 'kept']) {
    await recordProject(deps, { projectId: id, name: id, occurredAt: at });
    await recordApiKey(deps, { keyId: `${id}-key`, projectId: id, role: 'viewer', secretSha256: id.padEnd(64, '0'), expiresAt: null });
  }
  return deps;
}

describe('deleteProjectData', () => {
  it('deletes the project and its keys, and nothing of another project', async () => {
    const deps = await twoProjects();
    expect(await deleteProjectData(deps, { projectId: 'doomed', occurredAt: at })).toEqual({ projectWasKnown: true });
    expect(deps.projects.all().map((project) => project.id)).toEqual(['kept']);
    expect(deps.apiKeys.all().map((key) => key.keyId)).toEqual(['kept-key']);
    expect(deps.projects.deleted()).toEqual(['doomed']);
  });

  it('changes nothing more when run again, and accepts a project it never knew', async () => {
    const deps = await twoProjects();
    await deleteProjectData(deps, { projectId: 'doomed', occurredAt: at });
    expect(await deleteProjectData(deps, { projectId: 'doomed', occurredAt: at })).toEqual({ projectWasKnown: false });
    expect(await deleteProjectData(deps, { projectId: 'never-seen', occurredAt: at })).toEqual({ projectWasKnown: false });
    expect(deps.projects.all().map((project) => project.id)).toEqual(['kept']);
    expect(deps.apiKeys.all().map((key) => key.keyId)).toEqual(['kept-key']);
  });
});
