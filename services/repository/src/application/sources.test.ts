import { describe, expect, it } from 'vitest';
import { changeSource } from './change-source.js';
import { createSource } from './create-source.js';
import { deleteSource } from './delete-source.js';
import { fakeVault, makeFakes } from './fakes.js';

const now = new Date('2026-01-01T00:00:00Z');
let counter = 0;
const ids = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

function world() {
  const fakes = makeFakes({ projects: ['p1', 'p2'] });
  const deleted: string[] = [];
  const deps = { ...fakes, vault: fakeVault, clock: () => now, ids, settings: { allowFileUrls: true }, objects: { deleteAll: async (_p: string, id: string) => { deleted.push(id); } } };
  return { fakes, deps, deleted };
}
const input = { projectId: 'p1', name: 'actions', url: 'https://git.example.com/actions.git', createdBy: 'u1' };

describe('createSource', () => {
  it('stores the source and only the sealed password, bound to the source id', async () => {
    const { fakes, deps } = world();
    const result = await createSource(deps, { ...input, username: 'ada', password: 'hunter2' });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    const [row] = fakes.state().sources;
    expect(row?.source).toEqual(result.value);
    expect(row?.sealedPassword).toBe(fakeVault.seal('hunter2', result.value.id));
    expect(JSON.stringify(result.value)).not.toContain('hunter2');
  });

  it('refuses a name already used in the project, but not in another project', async () => {
    const { deps } = world();
    await createSource(deps, input);
    expect(await createSource(deps, input)).toEqual({ ok: false, error: { type: 'SourceNameTaken', name: 'actions' } });
    expect((await createSource(deps, { ...input, projectId: 'p2' })).ok).toBe(true);
  });

  it('refuses a project it has not heard of, and an invalid source, writing nothing', async () => {
    const { fakes, deps } = world();
    expect(await createSource(deps, { ...input, projectId: 'p9' })).toEqual({ ok: false, error: { type: 'ProjectNotKnown' } });
    expect((await createSource(deps, { ...input, url: 'ssh://git@x/y' })).ok).toBe(false);
    expect(fakes.state().sources).toEqual([]);
  });
});

describe('changeSource', () => {
  it('seals new credentials, removes them, or keeps them', async () => {
    const { fakes, deps } = world();
    const created = await createSource(deps, { ...input, password: 'one' });
    if (!created.ok) throw new Error('not created');
    const sourceId = created.value.id;
    const sealed = () => fakes.state().sources[0]?.sealedPassword;
    await changeSource(deps, { projectId: 'p1', sourceId, patch: { branch: 'dev' } });
    expect(sealed()).toBe(fakeVault.seal('one', sourceId));
    await changeSource(deps, { projectId: 'p1', sourceId, patch: { password: 'two' } });
    expect(sealed()).toBe(fakeVault.seal('two', sourceId));
    const cleared = await changeSource(deps, { projectId: 'p1', sourceId, patch: { password: null } });
    expect(cleared).toMatchObject({ ok: true, value: { hasCredentials: false, username: null, branch: 'dev' } });
    expect(sealed()).toBeNull();
  });

  it('answers SourceNotFound for another project\'s source, and refuses a taken name', async () => {
    const { deps } = world();
    const first = await createSource(deps, input);
    await createSource(deps, { ...input, name: 'other' });
    if (!first.ok) throw new Error('not created');
    expect(await changeSource(deps, { projectId: 'p2', sourceId: first.value.id, patch: { name: 'x1' } })).toEqual({ ok: false, error: { type: 'SourceNotFound' } });
    expect(await changeSource(deps, { projectId: 'p1', sourceId: first.value.id, patch: { name: 'other' } })).toEqual({ ok: false, error: { type: 'SourceNameTaken', name: 'other' } });
  });
});

describe('deleteSource', () => {
  it('deletes the objects, then the source; another project cannot', async () => {
    const { fakes, deps, deleted } = world();
    const created = await createSource(deps, input);
    if (!created.ok) throw new Error('not created');
    expect(await deleteSource(deps, { projectId: 'p2', sourceId: created.value.id })).toEqual({ ok: false, error: { type: 'SourceNotFound' } });
    expect(deleted).toEqual([]);
    expect(await deleteSource(deps, { projectId: 'p1', sourceId: created.value.id })).toEqual({ ok: true, value: undefined });
    expect(deleted).toEqual([created.value.id]);
    expect(fakes.state().sources).toEqual([]);
  });

  it('keeps the source when its objects cannot be deleted', async () => {
    const { fakes, deps } = world();
    const created = await createSource(deps, input);
    if (!created.ok) throw new Error('not created');
    const failing = { ...deps, objects: { deleteAll: async () => { throw new Error('store down'); } } };
    await expect(deleteSource(failing, { projectId: 'p1', sourceId: created.value.id })).rejects.toThrow('store down');
    expect(fakes.state().sources).toHaveLength(1);
  });
});
