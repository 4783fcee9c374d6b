import { describe, expect, it } from 'vitest';
import { deleteSecret } from './delete-secret.js';
import { deleteVariable } from './delete-variable.js';
import { fakeRunnerSealer, fakeVault, makeFakes } from './fakes.js';
import type { StudioEvent } from './ports.js';
import { secretContext, setSecret } from './set-secret.js';
import { setVariable } from './set-variable.js';

const now = new Date('2026-11-01T10:00:00Z');

function world() {
  const fakes = makeFakes({ projects: { p1: 'known', p2: 'known', gone: 'deleted' } });
  return { fakes, deps: { ...fakes, clock: () => now, vault: fakeVault, sealer: fakeRunnerSealer } };
}
const who = { updatedBy: 'u1', traceId: 't1' };
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const revisionOf = (event: StudioEvent | undefined) => (event && 'revision' in event ? event.revision : undefined);

describe('setVariable', () => {
  it('creates, then replaces, a variable; each change emits ProjectVariableSet with a growing revision', async () => {
    const { fakes, deps } = world();
    expect(await setVariable(deps, { projectId: 'p1', name: 'REGION', value: 'eu', ...who })).toMatchObject({ ok: true, value: { created: true, variable: { value: 'eu', revision: 1 } } });
    expect(await setVariable(deps, { projectId: 'p1', name: 'REGION', value: { primary: 'us' }, ...who, updatedBy: 'u2' }))
      .toMatchObject({ ok: true, value: { created: false, variable: { value: { primary: 'us' }, revision: 2, updatedBy: 'u2', updatedAt: now } } });
    expect(fakes.state().variables).toEqual([{ projectId: 'p1', name: 'REGION', value: { primary: 'us' }, revision: 2, updatedAt: now, updatedBy: 'u2' }]);
    expect(fakes.state().outbox).toEqual([
      { type: 'ProjectVariableSet', projectId: 'p1', name: 'REGION', valueJson: '"eu"', revision: 1, occurredAt: now, traceId: 't1' },
      { type: 'ProjectVariableSet', projectId: 'p1', name: 'REGION', valueJson: '{"primary":"us"}', revision: 2, occurredAt: now, traceId: 't1' },
    ]);
  });

  it('keeps projects apart: the same name in two projects is two variables', async () => {
    const { fakes, deps } = world();
    await setVariable(deps, { projectId: 'p1', name: 'X', value: 1, ...who });
    expect(await setVariable(deps, { projectId: 'p2', name: 'X', value: 2, ...who })).toMatchObject({ ok: true, value: { created: true } });
    const tx = fakes.bind(fakes.state());
    expect(await tx.variables.all('p1')).toEqual([{ name: 'X', value: 1 }]);
    expect(await tx.variables.all('p2')).toEqual([{ name: 'X', value: 2 }]);
  });

  it.each([
    ['a bad name', { name: 'bad-name', value: 1 }, 'InvalidName'],
    ['null', { name: 'X', value: null }, 'InvalidValue'],
    ['too large a value', { name: 'X', value: 'x'.repeat(70_000) }, 'ValueTooLarge'],
  ] as const)('refuses %s, writing and emitting nothing', async (_case, input, type) => {
    const { fakes, deps } = world();
    expect(await setVariable(deps, { projectId: 'p1', ...input, ...who })).toMatchObject({ ok: false, error: { type } });
    expect(fakes.state()).toMatchObject({ variables: [], outbox: [] });
  });

  it('refuses a project studio does not know (yet) or that was deleted', async () => {
    const { fakes, deps } = world();
    for (const projectId of ['p9', 'gone']) {
      expect(await setVariable(deps, { projectId, name: 'X', value: 1, ...who })).toEqual({ ok: false, error: { type: 'ProjectNotKnown' } });
    }
    expect(fakes.state().outbox).toEqual([]);
  });
});

describe('deleteVariable', () => {
  it('deletes with a revision above the last set, and answers VariableNotFound after (or in another project)', async () => {
    const { fakes, deps } = world();
    await setVariable(deps, { projectId: 'p1', name: 'X', value: 1, ...who });
    expect(await deleteVariable(deps, { projectId: 'p2', name: 'X', traceId: 't2' })).toEqual({ ok: false, error: { type: 'VariableNotFound', name: 'X' } });
    expect(await deleteVariable(deps, { projectId: 'p1', name: 'X', traceId: 't2' })).toEqual({ ok: true, value: undefined });
    expect(await deleteVariable(deps, { projectId: 'p1', name: 'X', traceId: 't2' })).toEqual({ ok: false, error: { type: 'VariableNotFound', name: 'X' } });
    expect(fakes.state().variables).toEqual([]);
    const [set, deleted] = fakes.state().outbox;
    expect([set?.type, deleted?.type]).toEqual(['ProjectVariableSet', 'ProjectVariableDeleted']);
    expect(revisionOf(deleted)).toBeGreaterThan(revisionOf(set) ?? Infinity);
    expect(await deleteVariable(deps, { projectId: 'p1', name: '../X', traceId: 't2' })).toMatchObject({ ok: false, error: { type: 'InvalidName' } });
  });
});

describe('setSecret', () => {
  it('keeps the value only sealed for its row, and sends it only sealed for the runner, bound to project and name', async () => {
    const { fakes, deps } = world();
    const set = await setSecret(deps, { projectId: 'p1', name: 'API_TOKEN', value: 'hunter2', ...who });
    expect(set).toEqual({ ok: true, value: { created: true, secret: { projectId: 'p1', name: 'API_TOKEN', revision: 1, updatedAt: now, updatedBy: 'u1' } } });
    expect(JSON.stringify(set)).not.toContain('hunter2');
    const [row] = fakes.state().secrets;
    expect(row?.sealed).toBe(fakeVault.seal('hunter2', secretContext('p1', 'API_TOKEN')));
    expect(fakeVault.open(row?.sealed ?? '', secretContext('p1', 'API_TOKEN'))).toBe('hunter2');
    expect(() => fakeVault.open(row?.sealed ?? '', secretContext('p2', 'API_TOKEN'))).toThrow();
    const [event] = fakes.state().outbox;
    expect(event).toMatchObject({ type: 'ProjectSecretSet', projectId: 'p1', name: 'API_TOKEN', keyId: 'fake-runner-key', revision: 1, occurredAt: now, traceId: 't1' });
    expect(event?.type === 'ProjectSecretSet' && decode(event.sealedValue)).toBe('runner(p1/API_TOKEN):hunter2');
  });

  it('rotates a secret: a new sealed value, a higher revision, the secret no longer new', async () => {
    const { fakes, deps } = world();
    await setSecret(deps, { projectId: 'p1', name: 'API_TOKEN', value: 'one', ...who });
    expect(await setSecret(deps, { projectId: 'p1', name: 'API_TOKEN', value: 'two', ...who })).toMatchObject({ ok: true, value: { created: false, secret: { revision: 2 } } });
    expect(fakes.state().secrets.map((row) => row.sealed)).toEqual([fakeVault.seal('two', secretContext('p1', 'API_TOKEN'))]);
    expect(await fakes.bind(fakes.state()).secrets.names('p1')).toEqual(['API_TOKEN']);
  });

  it.each([
    ['an empty value', { name: 'T', value: '' }, 'InvalidValue'],
    ['a bad name', { name: 'my token', value: 'x' }, 'InvalidName'],
    ['too large a value', { name: 'T', value: 'x'.repeat(64 * 1024 + 1) }, 'ValueTooLarge'],
  ] as const)('refuses %s, writing and emitting nothing', async (_case, input, type) => {
    const { fakes, deps } = world();
    expect(await setSecret(deps, { projectId: 'p1', ...input, ...who })).toMatchObject({ ok: false, error: { type } });
    expect(fakes.state()).toMatchObject({ secrets: [], outbox: [] });
  });
});

describe('deleteSecret', () => {
  it('deletes the secret with its sealed value, emits ProjectSecretDeleted, and answers SecretNotFound after', async () => {
    const { fakes, deps } = world();
    await setSecret(deps, { projectId: 'p1', name: 'T', value: 'v', ...who });
    expect(await deleteSecret(deps, { projectId: 'p2', name: 'T', traceId: 't' })).toEqual({ ok: false, error: { type: 'SecretNotFound', name: 'T' } });
    expect(await deleteSecret(deps, { projectId: 'p1', name: 'T', traceId: 't' })).toEqual({ ok: true, value: undefined });
    expect(fakes.state().secrets).toEqual([]);
    const [set, deleted] = fakes.state().outbox;
    expect(deleted).toEqual({ type: 'ProjectSecretDeleted', projectId: 'p1', name: 'T', revision: expect.any(Number), occurredAt: now, traceId: 't' });
    expect(revisionOf(deleted)).toBeGreaterThan(revisionOf(set) ?? Infinity);
    expect(await deleteSecret(deps, { projectId: 'p1', name: 'T', traceId: 't' })).toMatchObject({ ok: false, error: { type: 'SecretNotFound' } });
  });
});
