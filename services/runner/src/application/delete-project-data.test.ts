import { describe, expect, it } from 'vitest';
import { deleteProjectData } from './delete-project-data.js';
import { makeFakeApiKeys, makeFakeObjects, makeFakeProjects } from './fakes.js';
import { recordApiKey } from './record-api-key.js';
import { recordProject } from './record-project.js';

const at = new Date('2026-11-01T10:00:00Z');
const doomedObjects = ['projects/doomed/a.txt', 'projects/doomed/deep/b.bin', 'projects/doomed/deep/c.bin'];
const keptObjects = ['projects/kept/a.txt', 'projects/doomed-not/x.txt', 'elsewhere/projects/doomed/y.txt'];

async function twoProjects() {
  const deps = { projects: makeFakeProjects(), apiKeys: makeFakeApiKeys(), objects: makeFakeObjects([...doomedObjects, ...keptObjects]) };
  for (const id of ['doomed', 'kept']) {
    await recordProject(deps, { projectId: id, name: id, occurredAt: at });
    await recordApiKey(deps, { keyId: `${id}-key`, projectId: id, role: 'viewer', secretSha256: id.padEnd(64, '0'), expiresAt: null });
  }
  return deps;
}

const survivors = (deps: Awaited<ReturnType<typeof twoProjects>>) => ({
  projects: deps.projects.all().map((project) => project.id).sort(),
  keys: deps.apiKeys.all().map((key) => key.keyId).sort(),
  objects: deps.objects.names(),
});

describe('deleteProjectData', () => {
  it('deletes the project\'s objects, keys and row, and nothing of another project', async () => {
    const deps = await twoProjects();
    expect(await deleteProjectData(deps, { projectId: 'doomed', occurredAt: at })).toEqual({ objectsDeleted: 3, projectWasKnown: true });
    expect(survivors(deps)).toEqual({ projects: ['kept'], keys: ['kept-key'], objects: [...keptObjects].sort() });
    expect(deps.projects.deleted()).toEqual(['doomed']);
  });

  it('changes nothing more when run again, and accepts a project it never knew', async () => {
    const deps = await twoProjects();
    await deleteProjectData(deps, { projectId: 'doomed', occurredAt: at });
    expect(await deleteProjectData(deps, { projectId: 'doomed', occurredAt: at })).toEqual({ objectsDeleted: 0, projectWasKnown: false });
    expect(await deleteProjectData(deps, { projectId: 'never-seen', occurredAt: at })).toEqual({ objectsDeleted: 0, projectWasKnown: false });
    expect(survivors(deps)).toEqual({ projects: ['kept'], keys: ['kept-key'], objects: [...keptObjects].sort() });
  });

  it('touches no row when the store fails midway, and a retry finishes the job', async () => {
    const deps = await twoProjects();
    deps.objects.failAfter(1);
    await expect(deleteProjectData(deps, { projectId: 'doomed', occurredAt: at })).rejects.toThrow('object store unreachable');
    expect(survivors(deps)).toEqual({ projects: ['doomed', 'kept'], keys: ['doomed-key', 'kept-key'], objects: [...doomedObjects.slice(1), ...keptObjects].sort() });
    expect(deps.projects.deleted()).toEqual([]);

    expect(await deleteProjectData(deps, { projectId: 'doomed', occurredAt: at })).toEqual({ objectsDeleted: 2, projectWasKnown: true });
    expect(survivors(deps)).toEqual({ projects: ['kept'], keys: ['kept-key'], objects: [...keptObjects].sort() });
  });
});
