import { describe, expect, it } from 'vitest';
import * as Deployment from './deployment.js';

const at = new Date('2026-12-01T10:00:00Z');
const later = new Date('2026-12-01T11:00:00Z');

const active: Deployment.Deployment = {
  workflowId: 'w1', projectId: 'p1', name: 'add-ten', version: 1, deploymentId: 'd1', status: 'active', mode: null, reason: '',
  servingVersion: 1, triggerType: 'http', httpPath: 'add-ten', traceId: 't1', updatedAt: at,
};

const request: Deployment.DeployRequest = {
  projectId: 'p1', workflowId: 'w1', workflowName: 'add-ten', version: 2, checksum: 'c', deploymentId: 'd2', documentJson: '{}',
  actions: [], files: [], site: 'local', requestedAt: later, traceId: 't2',
};

const action = (actionId: string, version = '1.0.0') => ({
  actionId, version, digest: 'a', artifactObject: 'o', artifactSize: 1, kind: 'Processor' as const, runtime: 'nodejs', format: 'trellis',
  inputs: [], outputs: [], resources: {},
});

describe('a deploy request', () => {
  it.each<[string, Deployment.Deployment | undefined, string, Partial<Deployment.Deployment> | undefined]>([
    ['a first deploy', undefined, 'd2', { status: 'deploying', version: 2, servingVersion: null, httpPath: null }],
    ['a redeploy keeps the served version until the new one is ready', active, 'd2', { status: 'deploying', version: 2, servingVersion: 1, httpPath: 'add-ten' }],
    ['a deploy after a failure', { ...active, status: 'failed', reason: 'x' }, 'd2', { status: 'deploying', reason: '', servingVersion: 1 }],
    ['a deploy while undeploying', { ...active, status: 'undeploying', servingVersion: null, httpPath: null }, 'd2', { status: 'deploying', servingVersion: null }],
    ['the same deployment id again is a redelivery', active, 'd1', undefined],
  ])('%s', (_name, current, deploymentId, expected) => {
    const next = Deployment.requestDeploy(current, { ...request, deploymentId });
    if (expected === undefined) expect(next).toEqual({ outcome: 'redelivered' });
    else expect(next).toEqual({ outcome: 'deploying', deployment: expect.objectContaining({ ...expected, deploymentId, traceId: 't2', updatedAt: later, mode: null }) });
  });
});

describe('the end of a preparation', () => {
  const deploying: Deployment.Deployment = { ...active, version: 2, deploymentId: 'd2', status: 'deploying', traceId: 't2' };
  const http = { type: 'http' as const, httpPath: 'new-path' };
  it.each<[string, Parameters<typeof Deployment.settleDeploy>[1], Parameters<typeof Deployment.settleDeploy>[3], Partial<Deployment.Deployment>, string]>([
    ['prepared: the new version serves, with its trigger', { ok: true }, undefined, { status: 'active', servingVersion: 2, httpPath: 'new-path', reason: '' }, 'WorkflowDeployed'],
    ['not prepared: the old version keeps serving', { ok: false, reason: 'action a@1: unavailable' }, undefined,
      { status: 'failed', servingVersion: 1, httpPath: 'add-ten', reason: 'action a@1: unavailable' }, 'WorkflowDeployFailed'],
    ['its path served by another workflow', { ok: true }, { workflowId: 'w9', name: 'other' },
      { status: 'failed', servingVersion: 1, httpPath: 'add-ten', reason: 'the HTTP path new-path is already served by the workflow other (w9) of this project' }, 'WorkflowDeployFailed'],
  ])('%s', (_name, prepared, servedBy, expected, event) => {
    const settled = Deployment.settleDeploy(deploying, prepared, http, servedBy, later, 'docker');
    expect(settled.deployment).toMatchObject({ ...expected, updatedAt: later });
    expect(settled.event).toMatchObject({ type: event, workflowId: 'w1', deploymentId: 'd2', version: 2, occurredAt: later, ...(event === 'WorkflowDeployed' ? { site: 'docker' } : {}) });
  });

  it.each<[string, Deployment.Deployment | undefined, boolean]>([
    ['the same request, still deploying', deploying, true],
    ['a later request', { ...deploying, deploymentId: 'd3' }, false],
    ['already ended', { ...deploying, status: 'active' }, false],
    ['no deployment (its project was deleted)', undefined, false],
  ])('is still wanted: %s', (_name, current, wanted) => {
    expect(Deployment.stillDeploying(current, 'd2')).toBe(wanted);
  });
});

describe('an undeploy request', () => {
  const undeploy: Deployment.UndeployRequest = { projectId: 'p1', workflowId: 'w1', deploymentId: 'u1', mode: 'immediate', requestedAt: later, traceId: 'tu' };
  it.each<[string, Deployment.Deployment | undefined, ReturnType<typeof Deployment.requestUndeploy>['outcome'], Partial<Deployment.Deployment>?]>([
    ['of a serving workflow: no new run from now on', active, 'undeploying', { status: 'undeploying', version: 1, servingVersion: null, httpPath: null, triggerType: null, mode: 'immediate' }],
    ['during a redeploy: the served version is the one answered', { ...active, version: 2, deploymentId: 'd2', status: 'deploying' }, 'undeploying', { version: 1 }],
    ['after a failed first deploy: the version asked for', { ...active, status: 'failed', servingVersion: null, version: 3 }, 'undeploying', { version: 3 }],
    ['redelivered', { ...active, deploymentId: 'u1', status: 'undeployed' }, 'redelivered'],
    ['of a workflow never deployed here', undefined, 'unknown'],
  ])('%s', (_name, current, outcome, expected) => {
    const next = Deployment.requestUndeploy(current, undeploy);
    expect(next.outcome).toBe(outcome);
    if (expected) {
      expect(next).toMatchObject({ deployment: { ...expected, deploymentId: 'u1', traceId: 'tu' } });
      if ('deployment' in next) expect(Deployment.acceptsRuns(next.deployment)).toBe(false);
    }
  });

  it('ends undeployed, answering with the version that served', () => {
    const next = Deployment.requestUndeploy(active, undeploy);
    if (next.outcome !== 'undeploying') throw new Error('expected undeploying');
    expect(Deployment.settleUndeploy(next.deployment, later)).toEqual({
      deployment: { ...next.deployment, status: 'undeployed', updatedAt: later },
      event: { type: 'WorkflowUndeployed', projectId: 'p1', workflowId: 'w1', deploymentId: 'u1', version: 1, occurredAt: later },
    });
  });
});

describe('the trigger of a version', () => {
  it.each<[string, string, ReturnType<typeof Deployment.triggerOf>]>([
    ['http', JSON.stringify({ trigger: { type: 'http', path: 'orders/new' } }), { type: 'http', httpPath: 'orders/new' }],
    ['manual', JSON.stringify({ trigger: { type: 'manual' } }), { type: 'manual', httpPath: null }],
    ['schedule', JSON.stringify({ trigger: { type: 'schedule', cron: '0 * * * *' } }), { type: 'schedule', httpPath: null }],
    ['none', JSON.stringify({ steps: [] }), { type: null, httpPath: null }],
    ['not JSON', '{', { type: null, httpPath: null }],
  ])('%s', (_name, document, expected) => {
    expect(Deployment.triggerOf(document)).toEqual(expected);
  });
});

describe('the action versions to release', () => {
  it.each<[string, ReturnType<typeof action>[], string[], string[]]>([
    ['none in use', [action('a'), action('b')], [], ['a@1.0.0', 'b@1.0.0']],
    ['one still used elsewhere', [action('a'), action('b')], ['b@1.0.0'], ['a@1.0.0']],
    ['another version of an action in use', [action('a', '2.0.0')], ['a@1.0.0'], ['a@2.0.0']],
    ['named twice', [action('a'), action('a')], [], ['a@1.0.0']],
  ])('%s', (_name, candidates, inUse, expected) => {
    expect(Deployment.unusedActions(candidates, new Set(inUse)).map(Deployment.actionName)).toEqual(expected);
  });
});
