import { describe, expect, it } from 'vitest';
import { deleteActionVersion } from './delete-action-version.js';
import { aLibraryAction, makeFakes } from './fakes.js';
import { recordBuiltAction } from './record-built-action.js';

describe('recordBuiltAction', () => {
  it('puts a new version in its project\'s library once, however often it is announced', async () => {
    const fakes = makeFakes({ projects: { p1: 'known' } });
    expect(await recordBuiltAction(fakes, aLibraryAction())).toEqual({ ok: true, value: { arrival: 'insert' } });
    expect(await recordBuiltAction(fakes, aLibraryAction())).toEqual({ ok: true, value: { arrival: 'unchanged' } });
    expect(fakes.state().library).toEqual([aLibraryAction()]);
  });

  it('replaces a version with a newer build of it, and ignores an older one arriving late', async () => {
    const fakes = makeFakes({ projects: { p1: 'known' } });
    const rebuilt = aLibraryAction({ digest: 'b'.repeat(64), origin: { sourceId: 's1', commit: 'c2', folder: 'add-one', buildId: 'b2' }, builtAt: new Date('2026-11-02T00:00:00Z') });
    await recordBuiltAction(fakes, aLibraryAction());
    expect((await recordBuiltAction(fakes, rebuilt)).ok).toBe(true);
    expect(await recordBuiltAction(fakes, aLibraryAction())).toEqual({ ok: true, value: { arrival: 'stale' } });
    expect(fakes.state().library).toEqual([rebuilt]);
  });

  it('ignores a build of a deleted project, and retries (throws) while the project is not known yet', async () => {
    const deleted = makeFakes({ projects: { p1: 'deleted' } });
    expect(await recordBuiltAction(deleted, aLibraryAction())).toEqual({ ok: false, error: { type: 'ProjectDeleted', projectId: 'p1' } });
    await expect(recordBuiltAction(makeFakes(), aLibraryAction())).rejects.toThrow(/not known to studio yet/);
    expect(deleted.state().library).toEqual([]);
  });
});

describe('deleteActionVersion', () => {
  it('removes exactly that version, and says when there is none', async () => {
    const fakes = makeFakes({ projects: { p1: 'known' } });
    await recordBuiltAction(fakes, aLibraryAction());
    await recordBuiltAction(fakes, aLibraryAction({ version: '2.0.0', origin: { sourceId: 's1', commit: 'c1', folder: 'add-one', buildId: 'b9' } }));
    expect(await deleteActionVersion(fakes, { projectId: 'p1', actionId: 'add-one', version: '1.0.0' })).toEqual({ ok: true, value: undefined });
    expect(fakes.state().library.map((a) => a.version)).toEqual(['2.0.0']);
    expect(await deleteActionVersion(fakes, { projectId: 'p1', actionId: 'add-one', version: '1.0.0' }))
      .toEqual({ ok: false, error: { type: 'ActionVersionNotFound', actionId: 'add-one', version: '1.0.0' } });
    expect(await deleteActionVersion(fakes, { projectId: 'p2', actionId: 'add-one', version: '2.0.0' })).toMatchObject({ ok: false });
  });
});
