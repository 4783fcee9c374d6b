import { describe, expect, it } from 'vitest';
import type { JsonValue } from '@trellis/kernel/io';
import type { SiteName } from '@trellis/workflow-language/resources';
import { createWorkflow } from './create-workflow.js';
import { deleteActionVersion } from './delete-action-version.js';
import { deleteSecret } from './delete-secret.js';
import { deleteVariable } from './delete-variable.js';
import { deleteWorkflow } from './delete-workflow.js';
import { deployWorkflow } from './deploy-workflow.js';
import { aLibraryAction, fakeChecksum, makeFakes } from './fakes.js';
import { importWorkflow } from './import-workflow.js';
import { exportWorkflow, getVersion, getWorkflow, validateDocument } from './read-workflow.js';
import { recordDeployAnswer } from './record-deploy-answer.js';
import { patchDraft, replaceDraft } from './replace-draft.js';
import { undeployWorkflow } from './undeploy-workflow.js';

const now = new Date('2026-11-01T10:00:00Z');

function world() {
  const fakes = makeFakes({
    projects: { p1: 'known', p2: 'known' },
    library: [
      aLibraryAction(),
      aLibraryAction({ version: '1.1.0', digest: 'b'.repeat(64), builtAt: new Date('2026-11-01T11:00:00Z') }),
      aLibraryAction({ projectId: 'p2', version: '9.0.0' }),
      aLibraryAction({ actionId: 'call', inputs: [{ name: 'token', type: 'password', help: '', optional: false }], outputs: [] }),
    ],
    variables: [{ projectId: 'p1', name: 'START', value: 1, revision: 1, updatedAt: now, updatedBy: 'u1' }],
    secrets: [{ secret: { projectId: 'p1', name: 'TOKEN', revision: 2, updatedAt: now, updatedBy: 'u1' }, sealed: 'sealed' }],
  });
  let next = 0;
  const deps = { ...fakes, clock: () => now, ids: () => `id-${++next}`, checksum: fakeChecksum, siteDefault: 'local' as SiteName };
  return { fakes, deps };
}

const doc = (overrides: Record<string, JsonValue> = {}): JsonValue => ({
  steps: [{ inputs: { n: '${{ trigger.n }}' }, action: 'add-one', id: 's1' }],
  trigger: { type: 'http', path: 'add', inputs: [{ name: 'n', type: 'integer' }] },
  kind: 'Workflow', name: 'add', apiVersion: 'trellis.dev/v1',
  ...overrides,
});
const by = { by: 'u1' };

describe('saving drafts', () => {
  it('creates a workflow with its document canonical and `action: id` pinned to the newest build', async () => {
    const { fakes, deps } = world();
    const created = await createWorkflow(deps, { projectId: 'p1', document: doc(), ...by });
    expect(created).toMatchObject({ ok: true, value: { problems: [], workflow: { id: 'id-1', name: 'add', latestVersion: 0, deployment: null, createdBy: 'u1', createdAt: now } } });
    const saved = fakes.state().workflows[0]?.document as Record<string, JsonValue>;
    expect(Object.keys(saved)).toEqual(['apiVersion', 'kind', 'name', 'trigger', 'steps']);
    expect(saved['steps']).toEqual([{ id: 's1', action: 'add-one@1.1.0', inputs: { n: '${{ trigger.n }}' } }]);
  });

  it('saves a draft with problems and reports them all; refuses one without a valid name, or a taken name', async () => {
    const { fakes, deps } = world();
    const broken = await createWorkflow(deps, { projectId: 'p1', document: doc({ steps: [{ id: 's1', action: 'ghost' }, { id: 's1', action: 'add-one', inputs: { n: '${{ vars.NOPE }}' } }] }), ...by });
    expect(broken.ok && broken.value.problems.map((p) => p.code)).toEqual(['duplicate_step_id', 'unknown_action', 'unknown_variable']);
    expect(fakes.state().workflows).toHaveLength(1);
    expect(await createWorkflow(deps, { projectId: 'p1', document: doc({ name: 'Not Valid' }), ...by }))
      .toMatchObject({ ok: false, error: { type: 'WorkflowUnsavable', problems: [{ code: 'invalid_value', path: ['name'] }] } });
    expect(await createWorkflow(deps, { projectId: 'p1', document: [1], ...by })).toMatchObject({ ok: false, error: { type: 'WorkflowUnsavable', problems: [{ code: 'wrong_type', path: [] }] } });
    expect(await createWorkflow(deps, { projectId: 'p1', document: doc({ trigger: { type: 'manual' } }), ...by })).toEqual({ ok: false, error: { type: 'WorkflowNameTaken', name: 'add' } });
    expect(await createWorkflow(deps, { projectId: 'p2', document: doc(), ...by })).toMatchObject({ ok: true });
    expect(await createWorkflow(deps, { projectId: 'p9', document: doc(), ...by })).toEqual({ ok: false, error: { type: 'ProjectNotKnown' } });
  });

  it('checks an HTTP path against the other workflows of the project only', async () => {
    const { deps } = world();
    const first = await createWorkflow(deps, { projectId: 'p1', document: doc(), ...by });
    const second = await createWorkflow(deps, { projectId: 'p1', document: doc({ name: 'other' }), ...by });
    expect(second.ok && second.value.problems).toEqual([{ code: 'http_path_taken', path: ['trigger', 'path'], message: 'The workflow add already answers /add.' }]);
    if (!first.ok || !second.ok) throw new Error('not created');
    expect(await getWorkflow(deps, { projectId: 'p1', workflowId: first.value.workflow.id })).toMatchObject({ ok: true, value: { problems: [{ code: 'http_path_taken' }] } });
    await patchDraft(deps, { projectId: 'p1', workflowId: second.value.workflow.id, patch: { trigger: { path: 'other' } }, ...by });
    expect(await getWorkflow(deps, { projectId: 'p1', workflowId: first.value.workflow.id })).toMatchObject({ ok: true, value: { problems: [] } });
    expect((await validateDocument(deps, { projectId: 'p1', document: doc() })).problems.map((p) => p.code)).toEqual(['http_path_taken']);
    expect((await validateDocument(deps, { projectId: 'p1', document: doc(), exceptId: first.value.workflow.id })).problems).toEqual([]);
  });

  it('replaces (PUT) and merge-patches (PATCH) a draft, renaming it when the name is free', async () => {
    const { fakes, deps } = world();
    const created = await createWorkflow(deps, { projectId: 'p1', document: doc(), ...by });
    await createWorkflow(deps, { projectId: 'p1', document: doc({ name: 'taken', trigger: { type: 'manual' } }), ...by });
    if (!created.ok) throw new Error('not created');
    const workflowId = created.value.workflow.id;
    expect(await replaceDraft(deps, { projectId: 'p1', workflowId, document: doc({ name: 'renamed', title: 'Renamed' }), by: 'u2' }))
      .toMatchObject({ ok: true, value: { workflow: { name: 'renamed', updatedBy: 'u2', createdBy: 'u1' } } });
    expect(await replaceDraft(deps, { projectId: 'p1', workflowId, document: doc({ name: 'taken' }), ...by })).toEqual({ ok: false, error: { type: 'WorkflowNameTaken', name: 'taken' } });
    const patched = await patchDraft(deps, { projectId: 'p1', workflowId, patch: { title: null, description: 'Adds.', trigger: { path: 'plus' } }, ...by });
    expect(patched.ok && patched.value.workflow.document).toEqual({
      apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'renamed', description: 'Adds.',
      trigger: { type: 'http', path: 'plus', inputs: [{ name: 'n', type: 'integer' }] }, steps: [{ id: 's1', action: 'add-one@1.1.0', inputs: { n: '${{ trigger.n }}' } }],
    });
    expect(await patchDraft(deps, { projectId: 'p2', workflowId, patch: {}, ...by })).toEqual({ ok: false, error: { type: 'WorkflowNotFound' } });
    expect(fakes.state().workflows.map((w) => w.name).sort()).toEqual(['renamed', 'taken']);
  });

  it('imports a document as a new workflow, as the draft of the one of its name, or of the one named by id', async () => {
    const { fakes, deps } = world();
    expect(await importWorkflow(deps, { projectId: 'p1', document: doc(), ...by })).toMatchObject({ ok: true, value: { created: true, workflow: { name: 'add' } } });
    const again = await importWorkflow(deps, { projectId: 'p1', document: doc({ title: 'Again' }), ...by });
    expect(again).toMatchObject({ ok: true, value: { created: false, problems: [], workflow: { name: 'add', document: { title: 'Again' } } } });
    if (!again.ok) throw new Error('not imported');
    const target = again.value.workflow.id;
    expect(await importWorkflow(deps, { projectId: 'p1', document: doc({ name: 'moved' }), workflowId: target, ...by }))
      .toMatchObject({ ok: true, value: { created: false, workflow: { id: target, name: 'moved' } } });
    await importWorkflow(deps, { projectId: 'p1', document: doc({ name: 'third', trigger: { type: 'manual' } }), ...by });
    expect(await importWorkflow(deps, { projectId: 'p1', document: doc({ name: 'third' }), workflowId: target, ...by })).toEqual({ ok: false, error: { type: 'WorkflowNameTaken', name: 'third' } });
    expect(await importWorkflow(deps, { projectId: 'p2', document: doc(), workflowId: target, ...by })).toEqual({ ok: false, error: { type: 'WorkflowNotFound' } });
    expect(fakes.state().workflows.map((w) => w.name).sort()).toEqual(['moved', 'third']);
  });
});

describe('deploying', () => {
  async function saved(document = doc()) {
    const w = world();
    const created = await createWorkflow(w.deps, { projectId: 'p1', document, ...by });
    if (!created.ok) throw new Error('not created');
    return { ...w, workflowId: created.value.workflow.id };
  }

  it('refuses a draft with problems, listing them all, and changes nothing', async () => {
    const { fakes, deps, workflowId } = await saved(doc({ steps: [{ id: 's1', action: 'ghost' }, { id: 's2', action: 'add-one', inputs: { n: '${{ steps.s9.n }}' } }] }));
    const before = fakes.state();
    const refused = await deployWorkflow(deps, { projectId: 'p1', workflowId, by: 'u1', traceId: 't' });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error.type === 'WorkflowInvalid' && refused.error.problems.map((p) => p.code)).toEqual(['unknown_action', 'unknown_step_reference']);
    expect(fakes.state()).toEqual(before);
  });

  it('freezes version 1 with pins and checksum, and emits one WorkflowDeployRequested with the whole snapshot', async () => {
    const { fakes, deps, workflowId } = await saved();
    const deployed = await deployWorkflow(deps, { projectId: 'p1', workflowId, by: 'op', traceId: 'trace-1' });
    expect(deployed).toMatchObject({ ok: true, value: { reused: false, version: { version: 1, pins: [{ actionId: 'add-one', version: '1.1.0', digest: 'b'.repeat(64) }] } } });
    const [version] = fakes.state().workflowVersions;
    expect(version?.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(fakes.state().versionUses).toEqual([{ projectId: 'p1', workflowId, version: 1, kind: 'action', name: 'add-one@1.1.0' }]);
    expect(fakes.state().workflows[0]).toMatchObject({ latestVersion: 1, deployment: { id: 'id-2', status: 'deploying', version: 1, servingVersion: null, requestedBy: 'op' } });
    expect(fakes.state().outbox).toEqual([expect.objectContaining({
      type: 'WorkflowDeployRequested', projectId: 'p1', workflowId, workflowName: 'add', version: 1, checksum: version?.checksum, deploymentId: 'id-2',
      document: version?.document, actions: [fakes.state().library[1]], site: 'local', requestedBy: 'op', traceId: 'trace-1',
    })]);
  });

  it('refuses a deploy to the docker or kubernetes site while an action version has no image for it, and changes nothing', async () => {
    const { fakes, deps, workflowId } = await saved();
    const before = fakes.state();
    expect(await deployWorkflow({ ...deps, siteDefault: 'docker' }, { projectId: 'p1', workflowId, by: 'op', traceId: 't' })).toEqual({
      ok: false, error: { type: 'ImageMissing', site: 'docker', actionId: 'add-one', actionVersion: '1.1.0' },
    });
    expect(fakes.state()).toEqual(before);
    fakes.state().library[1] = { ...aLibraryAction({ version: '1.1.0', digest: 'b'.repeat(64), builtAt: new Date('2026-11-01T11:00:00Z') }), images: { docker: 'trellis-action/add-one@sha256:' + 'e'.repeat(64) } };
    expect(await deployWorkflow({ ...deps, siteDefault: 'kubernetes' }, { projectId: 'p1', workflowId, by: 'op', traceId: 't' })).toMatchObject({
      ok: false, error: { type: 'ImageMissing', site: 'kubernetes' },
    });
    expect(await deployWorkflow({ ...deps, siteDefault: 'docker' }, { projectId: 'p1', workflowId, by: 'op', traceId: 't' })).toMatchObject({ ok: true });
    expect(fakes.state().outbox).toEqual([expect.objectContaining({ type: 'WorkflowDeployRequested', site: 'docker', actions: [fakes.state().library[1]] })]);
  });

  it('deploys to the site the document names, whatever the instance\'s default', async () => {
    const { fakes, deps, workflowId } = await saved(doc({ site: 'local' }));
    expect(await deployWorkflow({ ...deps, siteDefault: 'kubernetes' }, { projectId: 'p1', workflowId, by: 'op', traceId: 't' })).toMatchObject({ ok: true });
    expect(fakes.state().outbox).toEqual([expect.objectContaining({ type: 'WorkflowDeployRequested', site: 'local' })]);
  });

  it('reuses the latest version for an unchanged draft, freezes a new one for a changed draft, and rolls back to a given one', async () => {
    const { fakes, deps, workflowId } = await saved();
    const deploy = (version?: number) => deployWorkflow(deps, { projectId: 'p1', workflowId, version, by: 'op', traceId: 't' });
    await deploy();
    expect(await deploy()).toMatchObject({ ok: true, value: { reused: true, version: { version: 1 } } });
    await patchDraft(deps, { projectId: 'p1', workflowId, patch: { title: 'Changed' }, ...by });
    expect(await deploy()).toMatchObject({ ok: true, value: { reused: false, version: { version: 2 } } });
    expect(await deploy(1)).toMatchObject({ ok: true, value: { reused: true, version: { version: 1 } } });
    expect(fakes.state().workflowVersions.map((v) => v.version)).toEqual([1, 2]);
    expect(fakes.state().outbox.map((e) => e.type === 'WorkflowDeployRequested' && e.version)).toEqual([1, 1, 2, 1]);
    expect(await deploy(7)).toEqual({ ok: false, error: { type: 'WorkflowVersionNotFound', version: 7 } });
    expect(await getVersion(deps, { projectId: 'p1', workflowId, version: 2 })).toMatchObject({ ok: true, value: { version: 2, document: { title: 'Changed' } } });
    expect(await exportWorkflow(deps, { projectId: 'p1', workflowId, version: 1 })).toMatchObject({ ok: true, value: { name: 'add', document: { name: 'add' } } });
    expect(await exportWorkflow(deps, { projectId: 'p1', workflowId })).toMatchObject({ ok: true, value: { document: { title: 'Changed' } } });
  });

  it('refuses a rollback to a version whose pinned build the library no longer holds', async () => {
    const { fakes, deps, workflowId } = await saved();
    await deployWorkflow(deps, { projectId: 'p1', workflowId, by: 'op', traceId: 't' });
    await recordDeployAnswer(deps, { kind: 'undeployed', projectId: 'p1', workflowId, deploymentId: 'id-2', version: 1, reason: '' });
    fakes.state().library[1] = aLibraryAction({ version: '1.1.0', digest: 'c'.repeat(64), builtAt: new Date('2026-11-02T00:00:00Z') });
    expect(await deployWorkflow(deps, { projectId: 'p1', workflowId, version: 1, by: 'op', traceId: 't' })).toEqual({
      ok: false, error: { type: 'PinnedActionUnavailable', version: 1, actionId: 'add-one', actionVersion: '1.1.0', reason: 'rebuilt' },
    });
  });

  it('records the runner\'s answers, ignoring a stale one, and undeploys with the mode asked for', async () => {
    const { fakes, deps, workflowId } = await saved();
    const answer = (kind: 'deployed' | 'failed' | 'undeployed', deploymentId: string) =>
      recordDeployAnswer(deps, { kind, projectId: 'p1', workflowId, deploymentId, version: 1, reason: kind === 'failed' ? 'no room' : '' });
    expect(await undeployWorkflow(deps, { projectId: 'p1', workflowId, mode: 'graceful', by: 'op', traceId: 't' })).toEqual({ ok: false, error: { type: 'NotDeployed', name: 'add' } });
    await deployWorkflow(deps, { projectId: 'p1', workflowId, by: 'op', traceId: 't' });
    const deploymentId = () => fakes.state().workflows[0]?.deployment?.id ?? '';
    expect(await answer('deployed', 'someone-else')).toEqual({ outcome: 'stale' });
    expect(await answer('deployed', deploymentId())).toEqual({ outcome: 'applied' });
    expect(await answer('deployed', deploymentId())).toEqual({ outcome: 'duplicate' });
    expect(fakes.state().workflows[0]?.deployment).toMatchObject({ status: 'deployed', servingVersion: 1 });
    expect(await undeployWorkflow(deps, { projectId: 'p1', workflowId, mode: 'immediate', by: 'op', traceId: 't' })).toMatchObject({ ok: true });
    expect(fakes.state().outbox.at(-1)).toEqual({ type: 'WorkflowUndeployRequested', projectId: 'p1', workflowId, deploymentId: deploymentId(), mode: 'immediate', requestedBy: 'op', occurredAt: now, traceId: 't' });
    expect(await answer('undeployed', deploymentId())).toEqual({ outcome: 'applied' });
    expect(fakes.state().workflows[0]?.deployment).toMatchObject({ status: 'undeployed', servingVersion: null });
    expect(await recordDeployAnswer(deps, { kind: 'deployed', projectId: 'p2', workflowId, deploymentId: 'id-3', version: 1, reason: '' })).toEqual({ outcome: 'unknown_workflow' });
  });

  it('refuses to delete a workflow or an action version a live version uses, and allows both once undeployed', async () => {
    const { fakes, deps, workflowId } = await saved();
    await deployWorkflow(deps, { projectId: 'p1', workflowId, by: 'op', traceId: 't' });
    expect(await deleteWorkflow(deps, { projectId: 'p1', workflowId })).toEqual({ ok: false, error: { type: 'WorkflowLive', name: 'add', status: 'deploying' } });
    const removeAction = () => deleteActionVersion(deps, { projectId: 'p1', actionId: 'add-one', version: '1.1.0' });
    expect(await removeAction()).toEqual({ ok: false, error: { type: 'ActionVersionInUse', actionId: 'add-one', version: '1.1.0', workflows: ['add'] } });
    expect(await deleteActionVersion(deps, { projectId: 'p1', actionId: 'add-one', version: '1.0.0' })).toEqual({ ok: true, value: undefined });
    await undeployWorkflow(deps, { projectId: 'p1', workflowId, mode: 'graceful', by: 'op', traceId: 't' });
    await recordDeployAnswer(deps, { kind: 'undeployed', projectId: 'p1', workflowId, deploymentId: 'id-3', version: 1, reason: '' });
    expect(await removeAction()).toEqual({ ok: true, value: undefined });
    expect(await deleteWorkflow(deps, { projectId: 'p1', workflowId })).toEqual({ ok: true, value: undefined });
    expect(fakes.state().workflowVersions).toEqual([]);
    expect(await deleteWorkflow(deps, { projectId: 'p1', workflowId })).toEqual({ ok: false, error: { type: 'WorkflowNotFound' } });
  });

  it('refuses to delete a variable or a secret a live version uses, naming the workflows', async () => {
    const { deps, workflowId } = await saved(doc({ steps: [
      { id: 's1', action: 'add-one', inputs: { n: '${{ vars.START }}' } }, { id: 's2', action: 'call', inputs: { token: '${{ secrets.TOKEN }}' } },
    ] }));
    const remove = () => Promise.all([deleteVariable(deps, { projectId: 'p1', name: 'START', traceId: 't' }), deleteSecret(deps, { projectId: 'p1', name: 'TOKEN', traceId: 't' })]);
    expect(await deployWorkflow(deps, { projectId: 'p1', workflowId, by: 'op', traceId: 't' })).toMatchObject({ ok: true });
    expect(await remove()).toEqual([
      { ok: false, error: { type: 'VariableInUse', name: 'START', workflows: ['add'] } }, { ok: false, error: { type: 'SecretInUse', name: 'TOKEN', workflows: ['add'] } },
    ]);
    await undeployWorkflow(deps, { projectId: 'p1', workflowId, mode: 'immediate', by: 'op', traceId: 't' });
    const deploymentId = deps.state().workflows[0]?.deployment?.id ?? '';
    await recordDeployAnswer(deps, { kind: 'undeployed', projectId: 'p1', workflowId, deploymentId, version: 1, reason: '' });
    expect(await remove()).toEqual([{ ok: true, value: undefined }, { ok: true, value: undefined }]);
  });
});
