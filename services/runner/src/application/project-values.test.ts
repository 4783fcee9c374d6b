import { describe, expect, it } from 'vitest';
import { applyProjectValueChange } from './apply-project-value-change.js';
import { aDeletion, aVariableSet, makeFakes } from './fakes.js';

const secretSet = (revision: bigint) => ({
  kind: 'secret', type: 'set', projectId: 'p1', name: 'TOKEN', revision, changedAt: new Date('2026-12-01T10:00:00Z'),
  sealed: new Uint8Array([1, 2, 3]), keyId: 'a'.repeat(64),
} as const);

describe('applying the project value changes studio announces', () => {
  it('keeps the highest revision of each name, whatever order the changes arrive in', async () => {
    const { uow, state } = makeFakes({ projects: { p1: 'known' } });
    expect(await applyProjectValueChange({ uow }, aVariableSet({ revision: 2n, value: 'second' }))).toEqual({ ok: true, value: { arrival: 'apply' } });
    expect(await applyProjectValueChange({ uow }, aVariableSet({ revision: 1n, value: 'first' }))).toEqual({ ok: true, value: { arrival: 'stale' } });
    expect(await applyProjectValueChange({ uow }, aVariableSet({ revision: 2n, value: 'second' }))).toEqual({ ok: true, value: { arrival: 'same' } });
    expect(state().values['p1/variable/REGION']).toMatchObject({ type: 'set', revision: 2n, value: 'second' });
  });

  it('keeps a deleted name deleted when an older set arrives after the deletion, and sets it again with a newer one', async () => {
    const { uow, state } = makeFakes({ projects: { p1: 'known' } });
    await applyProjectValueChange({ uow }, aVariableSet({ revision: 1n }));
    await applyProjectValueChange({ uow }, aDeletion({ revision: 3n }));
    expect((await applyProjectValueChange({ uow }, aVariableSet({ revision: 2n }))).ok).toBe(true);
    expect(state().values['p1/variable/REGION']).toMatchObject({ type: 'delete', revision: 3n });
    await applyProjectValueChange({ uow }, aVariableSet({ revision: 4n, value: 'back' }));
    expect(state().values['p1/variable/REGION']).toMatchObject({ type: 'set', revision: 4n, value: 'back' });
  });

  it('records a deletion that arrives before its name was ever set, so the late set stays out', async () => {
    const { uow, state } = makeFakes({ projects: { p1: 'known' } });
    expect(await applyProjectValueChange({ uow }, aDeletion({ kind: 'secret', name: 'TOKEN', revision: 2n }))).toEqual({ ok: true, value: { arrival: 'apply' } });
    expect(await applyProjectValueChange({ uow }, secretSet(1n))).toEqual({ ok: true, value: { arrival: 'stale' } });
    expect(state().values['p1/secret/TOKEN']).toMatchObject({ type: 'delete' });
  });

  it('keeps a variable and a secret of the same name apart', async () => {
    const { uow, state } = makeFakes({ projects: { p1: 'known' } });
    await applyProjectValueChange({ uow }, secretSet(5n));
    await applyProjectValueChange({ uow }, aVariableSet({ name: 'TOKEN', revision: 1n }));
    expect(state().values['p1/secret/TOKEN']).toMatchObject({ revision: 5n });
    expect(state().values['p1/variable/TOKEN']).toMatchObject({ revision: 1n });
  });

  it('refuses the changes of a deleted project and waits (throws) for a project it does not know yet', async () => {
    const { uow, state } = makeFakes({ projects: { gone: 'deleted' } });
    expect(await applyProjectValueChange({ uow }, aVariableSet({ projectId: 'gone' }))).toEqual({ ok: false, error: { type: 'ProjectDeleted', projectId: 'gone' } });
    await expect(applyProjectValueChange({ uow }, aVariableSet({ projectId: 'later' }))).rejects.toThrow('project later is not known to the runner yet');
    expect(state().values).toEqual({});
  });
});
