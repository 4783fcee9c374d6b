import { describe, expect, it } from 'vitest';
import type { JsonValue } from '@trellis/kernel/io';
import type { SiteName } from '@trellis/workflow-language/resources';
import type { LibraryAction } from '../library-action.js';
import * as Workflow from './workflow.js';

const T0 = new Date('2026-11-01T10:00:00Z');
const T1 = new Date('2026-11-01T10:01:00Z');

const document = { apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'add-ten', trigger: { type: 'http', path: 'add/ten' }, steps: [{ id: 's1', action: 'add-one@1.0.0' }] };

function aWorkflow(deployment: Partial<Workflow.Deployment> | null = null, latestVersion = 2): Workflow.Workflow {
  return {
    ...Workflow.create({ id: 'w1', projectId: 'p1', name: 'add-ten', document, by: 'u1', now: T0 }),
    latestVersion,
    deployment: deployment && {
      id: 'd1', status: 'deployed', version: 2, servingVersion: 2, reason: null, mode: null, requestedBy: 'u1', updatedAt: T0, ...deployment,
    },
  };
}

function aVersion(version: number, checksum = `c${version}`): Workflow.WorkflowVersion {
  return { projectId: 'p1', workflowId: 'w1', version, document, checksum, pins: [], createdAt: T0, createdBy: 'u1' };
}

describe('draftName', () => {
  it.each<[string, JsonValue, { ok: boolean; name?: string; paths?: string[] }]>([
    ['a valid name', { name: 'add-ten', steps: 3 }, { ok: true, name: 'add-ten' }],
    ['no name', { steps: [] }, { ok: false, paths: ['name'] }],
    ['a name with capitals', { name: 'Add Ten' }, { ok: false, paths: ['name'] }],
    ['a name that is not a string', { name: 12 }, { ok: false, paths: ['name'] }],
    ['a list', [1, 2], { ok: false, paths: [''] }],
    ['a string', 'add-ten', { ok: false, paths: [''] }],
  ])('%s', (_, raw, expected) => {
    const problems = [
      { code: 'other', path: ['steps'], message: 'kept with the draft' },
      ...(Array.isArray(raw) || typeof raw !== 'object' ? [{ code: 'wrong_type', path: [], message: 'not an object' }] : []),
      ...(expected.paths?.includes('name') ? [{ code: 'invalid_value', path: ['name'], message: 'bad name' }] : []),
    ];
    const result = Workflow.draftName(raw, problems);
    expect(result.ok).toBe(expected.ok);
    if (result.ok) expect(result.value).toBe(expected.name);
    else expect(result.error.problems.map((p) => p.path.join('.'))).toEqual(expected.paths);
  });
});

describe('the deployment state machine', () => {
  type Row = [string, Partial<Workflow.Deployment> | null, Workflow.DeployAnswer['kind'], string, Workflow.AnswerOutcome, Partial<Workflow.Deployment> | null];
  it.each<Row>([
    ['deploying -> deployed', { status: 'deploying', servingVersion: null }, 'deployed', 'd1', 'applied', { status: 'deployed', servingVersion: 2 }],
    ['deploying -> failed, nothing served', { status: 'deploying', servingVersion: null }, 'failed', 'd1', 'applied', { status: 'failed', servingVersion: null, reason: 'boom' }],
    ['a failed redeploy keeps the version served', { status: 'deploying', version: 3, servingVersion: 2 }, 'failed', 'd1', 'applied', { status: 'failed', version: 3, servingVersion: 2, reason: 'boom' }],
    ['a redeploy moves the version served', { status: 'deploying', version: 3, servingVersion: 2 }, 'deployed', 'd1', 'applied', { status: 'deployed', version: 3, servingVersion: 3 }],
    ['undeploying -> undeployed', { status: 'undeploying', servingVersion: 2 }, 'undeployed', 'd1', 'applied', { status: 'undeployed', servingVersion: null }],
    ['an answer to an older request', { status: 'deploying' }, 'deployed', 'd0', 'stale', { status: 'deploying' }],
    ['an answer with no deployment at all', null, 'deployed', 'd1', 'stale', null],
    ['the same answer twice', { status: 'deployed' }, 'deployed', 'd1', 'duplicate', { status: 'deployed' }],
    ['undeployed while deploying (not its request)', { status: 'deploying' }, 'undeployed', 'd1', 'stale', { status: 'deploying' }],
    ['deployed while undeploying (not its request)', { status: 'undeploying' }, 'deployed', 'd1', 'stale', { status: 'undeploying' }],
  ])('%s', (_, before, kind, deploymentId, outcome, after) => {
    const workflow = aWorkflow(before);
    const answer: Workflow.DeployAnswer = { kind, projectId: 'p1', workflowId: 'w1', deploymentId, version: workflow.deployment?.version ?? 2, reason: kind === 'failed' ? 'boom' : '' };
    const recorded = Workflow.recordAnswer(workflow, answer, T1);
    expect(recorded.outcome).toBe(outcome);
    if (after === null) expect(recorded.workflow.deployment).toBeNull();
    else expect(recorded.workflow.deployment).toMatchObject(after);
    if (outcome !== 'applied') expect(recorded.workflow).toBe(workflow);
    else expect(recorded.workflow.deployment?.updatedAt).toEqual(T1);
  });

  it.each<[string, Partial<Workflow.Deployment> | null]>([
    ['never deployed', null], ['deploying', { status: 'deploying' }], ['deployed', { status: 'deployed' }], ['failed', { status: 'failed', servingVersion: null }],
    ['undeploying', { status: 'undeploying' }], ['undeployed', { status: 'undeployed', servingVersion: null }],
  ])('a deploy request replaces any state (%s) with a new request id, keeping what is served', (_, before) => {
    const workflow = aWorkflow(before);
    const photo = { id: 'f1', projectId: 'p1', name: 'photo.png', contentType: 'image/png', size: 3, sha256: 'a'.repeat(64), object: 'studio/projects/p1/files/f1', createdAt: T1, createdBy: 'u1' };
    const { workflow: after, events } = Workflow.requestDeploy(workflow, { version: aVersion(3), actions: [], files: [photo], site: 'docker', deploymentId: 'd9', by: 'u2', now: T1 });
    expect(after.deployment).toEqual({
      id: 'd9', status: 'deploying', version: 3, servingVersion: workflow.deployment?.servingVersion ?? null, reason: null, mode: null, requestedBy: 'u2', updatedAt: T1,
    });
    expect(events).toEqual([expect.objectContaining({ type: 'WorkflowDeployRequested', workflowId: 'w1', workflowName: 'add-ten', version: 3, checksum: 'c3', deploymentId: 'd9', document, files: [photo], site: 'docker', requestedBy: 'u2' })]);
    // The answer to the request before this one is stale now.
    expect(Workflow.recordAnswer(after, { kind: 'deployed', projectId: 'p1', workflowId: 'w1', deploymentId: 'd1', version: 2, reason: '' }, T1).outcome).toBe('stale');
  });

  it.each<[string, Partial<Workflow.Deployment> | null, { ok: boolean; version?: number }]>([
    ['never deployed', null, { ok: false }],
    ['undeployed', { status: 'undeployed', servingVersion: null }, { ok: false }],
    ['failed with nothing served', { status: 'failed', servingVersion: null }, { ok: false }],
    ['failed while an older version serves', { status: 'failed', version: 3, servingVersion: 2 }, { ok: true, version: 2 }],
    ['deployed', { status: 'deployed' }, { ok: true, version: 2 }],
    ['deploying', { status: 'deploying', version: 3, servingVersion: null }, { ok: true, version: 3 }],
    ['undeploying (again, e.g. immediate after graceful)', { status: 'undeploying' }, { ok: true, version: 2 }],
  ])('an undeploy request when %s', (_, before, expected) => {
    const result = Workflow.requestUndeploy(aWorkflow(before), { deploymentId: 'd9', mode: 'immediate', by: 'u2', now: T1 });
    expect(result.ok).toBe(expected.ok);
    if (!result.ok) {
      expect(result.error).toEqual({ type: 'NotDeployed', name: 'add-ten' });
      return;
    }
    expect(result.value.workflow.deployment).toMatchObject({ id: 'd9', status: 'undeploying', version: expected.version, mode: 'immediate', updatedAt: T1 });
    expect(result.value.events).toEqual([{
      type: 'WorkflowUndeployRequested', projectId: 'p1', workflowId: 'w1', deploymentId: 'd9', mode: 'immediate', requestedBy: 'u2', occurredAt: T1,
    }]);
  });
});

describe('sites and images', () => {
  const built = (actionId: string, images: LibraryAction['images']) => ({ actionId, version: '1.0.0', images }) as LibraryAction;

  it.each<[string, JsonValue, SiteName, string]>([
    ['the document\'s site', { ...document, site: 'kubernetes' }, 'docker', 'kubernetes'],
    ['the instance\'s default when the document has none', document, 'docker', 'docker'],
    ['local named by the document over a docker default', { ...document, site: 'local' }, 'docker', 'local'],
    ['the default for a site the document gets wrong (a problem refuses it anyway)', { ...document, site: 'cloud' }, 'local', 'local'],
  ])('a version runs on %s', (_, raw, fallback, expected) => {
    expect(Workflow.siteOf(raw, fallback)).toBe(expected);
  });

  it('wants an image for the site of every action on docker and kubernetes, none on local', () => {
    const actions = [built('a', { docker: 'trellis/a:1' }), built('b', { docker: 'trellis/b:1', kubernetes: 'reg/b@sha256:1' })];
    expect(Workflow.checkImages(actions, 'docker')).toEqual({ ok: true, value: undefined });
    expect(Workflow.checkImages(actions, 'kubernetes')).toEqual({ ok: false, error: { type: 'ImageMissing', site: 'kubernetes', actionId: 'a', actionVersion: '1.0.0' } });
    expect(Workflow.checkImages([built('c', {})], 'local')).toEqual({ ok: true, value: undefined });
    expect(Workflow.checkImages([built('c', {})], 'docker')).toEqual({ ok: false, error: { type: 'ImageMissing', site: 'docker', actionId: 'c', actionVersion: '1.0.0' } });
  });
});

describe('what is live', () => {
  it.each<[string, Partial<Workflow.Deployment> | null, number[], boolean]>([
    ['never deployed', null, [], true],
    ['deploying the first version', { status: 'deploying', version: 1, servingVersion: null }, [1], false],
    ['deploying over a served one', { status: 'deploying', version: 3, servingVersion: 2 }, [2, 3], false],
    ['deployed', { status: 'deployed', version: 2, servingVersion: 2 }, [2], false],
    ['failed, nothing served', { status: 'failed', version: 1, servingVersion: null }, [], true],
    ['failed, an older one served', { status: 'failed', version: 3, servingVersion: 2 }, [2], false],
    ['undeploying', { status: 'undeploying', version: 2, servingVersion: 2 }, [2], false],
    ['undeployed', { status: 'undeployed', version: 2, servingVersion: null }, [], true],
  ])('%s', (_, deployment, live, deletable) => {
    const workflow = aWorkflow(deployment);
    expect(Workflow.liveVersions(workflow.deployment)).toEqual(live);
    const check = Workflow.checkDeletable(workflow);
    expect(check.ok).toBe(deletable);
    if (!check.ok) expect(check.error).toEqual({ type: 'WorkflowLive', name: 'add-ten', status: workflow.deployment?.status });
  });

  it('names each workflow whose live version uses something, once, sorted', () => {
    const deployment = (status: Workflow.DeploymentStatus, version: number, servingVersion: number | null): Workflow.Deployment =>
      ({ id: 'd', status, version, servingVersion, reason: null, mode: null, requestedBy: 'u', updatedAt: T0 });
    expect(Workflow.liveUsers([
      { workflowName: 'zeta', version: 1, deployment: deployment('deployed', 1, 1) },
      { workflowName: 'zeta', version: 2, deployment: deployment('deployed', 1, 1) },
      { workflowName: 'alpha', version: 2, deployment: deployment('deploying', 2, 1) },
      { workflowName: 'old', version: 1, deployment: deployment('deployed', 2, 2) },
      { workflowName: 'gone', version: 1, deployment: deployment('undeployed', 1, null) },
      { workflowName: 'draft', version: 1, deployment: null },
    ])).toEqual(['alpha', 'zeta']);
  });
});

describe('versions', () => {
  const pins = [{ actionId: 'b', version: '1.0.0', digest: 'x' }, { actionId: 'a', version: '2.0.0', digest: 'y' }];

  it('checksums the document text and its pins, whatever their order', () => {
    const text = Workflow.checksumText(document, pins);
    expect(text).toBe(`${JSON.stringify(document)}\n[["a","2.0.0","y"],["b","1.0.0","x"]]`);
    expect(Workflow.checksumText(document, [...pins].reverse())).toBe(text);
    expect(Workflow.checksumText(document, [{ ...pins[0] as Workflow.Pin, digest: 'z' }])).not.toBe(Workflow.checksumText(document, [pins[0] as Workflow.Pin]));
  });

  it('freezes a new version numbered after the latest, or reuses the latest when nothing changed', () => {
    const workflow = aWorkflow(null, 2);
    const fresh = Workflow.freeze(workflow, { document, pins, checksum: 'new', latest: aVersion(2), by: 'u2', now: T1 });
    expect(fresh.reused).toBe(false);
    expect(fresh.version).toEqual({ projectId: 'p1', workflowId: 'w1', version: 3, document, checksum: 'new', pins, createdAt: T1, createdBy: 'u2' });
    expect(fresh.workflow.latestVersion).toBe(3);
    const same = Workflow.freeze(workflow, { document, pins, checksum: 'c2', latest: aVersion(2), by: 'u2', now: T1 });
    expect(same).toEqual({ workflow, version: aVersion(2), reused: true });
    expect(Workflow.freeze(aWorkflow(null, 0), { document, pins, checksum: 'c', latest: undefined, by: 'u2', now: T1 }).version.version).toBe(1);
  });

  it('names the pinned action versions of a document once each, in order', () => {
    const raw: JsonValue = {
      trigger: { type: 'action', action: 'listen@1.0.0' },
      steps: [{ id: 'a', action: 'add-one@1.0.0' }, { id: 'b', action: 'add-one@1.0.0' }, { id: 'c', action: 'unpinned' }, { id: 'd', action: 'undo@2.0.0' }],
    };
    expect(Workflow.pinnedReferences(raw)).toEqual([
      { actionId: 'listen', version: '1.0.0' }, { actionId: 'add-one', version: '1.0.0' }, { actionId: 'undo', version: '2.0.0' },
    ]);
  });

  it('finds a version\'s pinned actions only as they were frozen', () => {
    const row = (actionId: string, version: string, digest: string) => ({ actionId, version, digest }) as LibraryAction;
    const version = { version: 4, pins };
    expect(Workflow.pinnedActions(version, [row('a', '2.0.0', 'y'), row('b', '1.0.0', 'x')])).toEqual({ ok: true, value: [row('b', '1.0.0', 'x'), row('a', '2.0.0', 'y')] });
    expect(Workflow.pinnedActions(version, [row('a', '2.0.0', 'y'), row('b', '1.0.0', 'other')])).toEqual({
      ok: false, error: { type: 'PinnedActionUnavailable', version: 4, actionId: 'b', actionVersion: '1.0.0', reason: 'rebuilt' },
    });
    expect(Workflow.pinnedActions(version, [row('b', '1.0.0', 'x')])).toEqual({
      ok: false, error: { type: 'PinnedActionUnavailable', version: 4, actionId: 'a', actionVersion: '2.0.0', reason: 'deleted' },
    });
  });

  it('reads the HTTP path and trigger type off a draft', () => {
    expect(Workflow.httpPathOf(document)).toBe('add/ten');
    expect(Workflow.triggerTypeOf(document)).toBe('http');
    expect(Workflow.httpPathOf({ trigger: { type: 'schedule', path: 'x' } })).toBeNull();
    expect(Workflow.triggerTypeOf({ trigger: 'http' })).toBeNull();
    expect(Workflow.httpPathOf([])).toBeNull();
  });
});
