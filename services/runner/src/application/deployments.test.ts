import { describe, expect, it } from 'vitest';
import { aDeployRequest, aDocument, aPinnedAction, anUndeployRequest, makeFakes, makeFakeSite } from './fakes.js';
import { handleDeployRequested } from './handle-deploy-requested.js';
import { handleUndeployRequested } from './handle-undeploy-requested.js';
import { prepareDeployment } from './prepare-deployment.js';
import { settleUndeployment, type RunsInFlight } from './settle-undeployment.js';
import type { ActionSite } from './site.js';
import { routeSites } from './site-router.js';

const clock = () => new Date('2026-12-01T10:00:05Z');
const noRuns: RunsInFlight = { settle: async () => ({ canceled: 0 }) };

function setUp(failing: Record<string, string> = {}, route: (site: ActionSite) => ActionSite = (site) => site) {
  const fakes = makeFakes({ projects: { p1: 'known', p2: 'known', gone: 'deleted' } });
  const site = makeFakeSite(failing);
  const deps = { uow: fakes.uow, site: route(site.site), clock, runs: noRuns };
  /** Receives the request, then runs the job's preparation of it, as the running runner does. */
  const deploy = async (request = aDeployRequest()) => {
    await handleDeployRequested(deps, request);
    return prepareDeployment(deps, { workflowId: request.workflowId, deploymentId: request.deploymentId });
  };
  /** Receives the request, then runs the job's settling of it, as the running runner does. */
  const undeploy = async (request = anUndeployRequest(), runs = noRuns) => {
    const handled = await handleUndeployRequested(deps, request);
    if (!handled.ok || handled.value.outcome !== 'undeploying') return handled;
    return settleUndeployment({ ...deps, runs }, { workflowId: request.workflowId, deploymentId: request.deploymentId });
  };
  const events = () => fakes.state().outbox.map(({ event }) => event);
  return { ...fakes, ...site, deps, deploy, undeploy, events };
}

const v2 = aPinnedAction({ version: '2.0.0', digest: 'b'.repeat(64) });

describe('deploying to a site', () => {
  const IMAGE = `trellis-action/add-one@sha256:${'1'.repeat(64)}`;
  const onDocker = aDeployRequest({ site: 'docker', actions: [aPinnedAction({ image: IMAGE, resources: { cpu: 0.5, memoryBytes: 268_435_456, timeoutMs: 5000 } })] });

  it('prepares each action on the version\'s site with its image and resources, answers with that site, and releases there', async () => {
    const { deploy, undeploy, events, refs } = setUp();
    expect(await deploy(onDocker)).toEqual({ outcome: 'deployed' });
    expect(refs.prepared).toEqual([expect.objectContaining({ actionId: 'add-one', site: 'docker', image: IMAGE, resources: { cpu: 0.5, memoryBytes: 268_435_456 }, timeoutMs: 5000 })]);
    expect(events()).toEqual([expect.objectContaining({ type: 'WorkflowDeployed', site: 'docker' })]);
    await undeploy();
    expect(refs.released).toEqual([expect.objectContaining({ actionId: 'add-one', site: 'docker', image: IMAGE })]);
  });

  it('fails the deploy of a version whose site this runner has not enabled, saying so', async () => {
    const { deploy, events, state } = setUp({}, (site) => routeSites({ local: site }));
    expect(await deploy(onDocker)).toEqual({ outcome: 'failed' });
    expect(events()).toEqual([expect.objectContaining({
      type: 'WorkflowDeployFailed', reason: 'action add-one@1.0.0: the docker site is not enabled on this runner (TRELLIS_SITES)',
    })]);
    expect(state().deployments['w1']).toMatchObject({ status: 'failed', servingVersion: null });
  });
});

describe('deploying a workflow studio asks for', () => {
  it('records the version and the deployment as deploying, emitting nothing until its actions are prepared', async () => {
    const { deps, state, prepared } = setUp();
    expect(await handleDeployRequested(deps, aDeployRequest())).toEqual({ ok: true, value: { outcome: 'deploying' } });
    expect(state().deployments['w1']).toMatchObject({ status: 'deploying', version: 1, deploymentId: 'd1', servingVersion: null });
    expect(state().versions['w1/1']).toMatchObject({ name: 'add-ten', checksum: 'c'.repeat(64), actions: [aPinnedAction()] });
    expect(state().outbox).toEqual([]);
    expect(prepared).toEqual([]);
  });

  it('prepares every pinned action, then serves the version and answers WorkflowDeployed on the local site with the request\'s trace id', async () => {
    const { deploy, state, prepared } = setUp();
    const actions = [aPinnedAction(), aPinnedAction({ actionId: 'times-two' })];
    expect(await deploy(aDeployRequest({ actions }))).toEqual({ outcome: 'deployed' });
    expect(prepared).toEqual(['add-one@1.0.0', 'times-two@1.0.0']);
    expect(state().deployments['w1']).toMatchObject({ status: 'active', servingVersion: 1, triggerType: 'http', httpPath: 'add-ten', reason: '' });
    expect(state().outbox).toEqual([{
      event: { type: 'WorkflowDeployed', projectId: 'p1', workflowId: 'w1', deploymentId: 'd1', version: 1, site: 'local', occurredAt: clock() },
      traceId: 'trace-1',
    }]);
  });

  it('ignores a redelivered request: the deployment is not prepared or answered twice', async () => {
    const { deploy, deps, events, prepared } = setUp();
    await deploy();
    expect(await handleDeployRequested(deps, aDeployRequest())).toEqual({ ok: true, value: { outcome: 'redelivered' } });
    expect(await prepareDeployment(deps, { workflowId: 'w1', deploymentId: 'd1' })).toEqual({ outcome: 'superseded' });
    expect(events().map((e) => e.type)).toEqual(['WorkflowDeployed']);
    expect(prepared).toEqual(['add-one@1.0.0']);
  });

  it('fails with the site\'s reason naming the action, and keeps serving the version served before', async () => {
    const { deploy, state, events, released } = setUp({ 'add-one@2.0.0': 'digest mismatch' });
    await deploy();
    expect(await deploy(aDeployRequest({ version: 2, deploymentId: 'd2', actions: [v2] }))).toEqual({ outcome: 'failed' });
    expect(state().deployments['w1']).toMatchObject({ status: 'failed', version: 2, servingVersion: 1, httpPath: 'add-ten', reason: 'action add-one@2.0.0: digest mismatch' });
    expect(events().at(-1)).toEqual({ type: 'WorkflowDeployFailed', projectId: 'p1', workflowId: 'w1', deploymentId: 'd2', version: 2, reason: 'action add-one@2.0.0: digest mismatch', occurredAt: clock() });
    expect(released).toEqual(['add-one@2.0.0']); // the failed version's action, which nothing serves
  });

  it('switches a redeployed workflow to the new version and releases the old version\'s actions nothing else uses', async () => {
    const { deploy, state, released } = setUp();
    const shared = aPinnedAction({ actionId: 'shared' });
    await deploy(aDeployRequest({ actions: [aPinnedAction(), shared] }));
    await deploy(aDeployRequest({ workflowId: 'w2', workflowName: 'other', deploymentId: 'dx', documentJson: aDocument(null, [shared]), actions: [shared] }));
    expect(await deploy(aDeployRequest({ version: 2, deploymentId: 'd2', actions: [v2, shared] }))).toEqual({ outcome: 'deployed' });
    expect(state().deployments['w1']).toMatchObject({ status: 'active', version: 2, servingVersion: 2 });
    expect(released).toEqual(['add-one@1.0.0']);
  });

  it('fails a deploy whose HTTP path another workflow of the project serves, naming it; another project may use the path', async () => {
    const { deploy, state, events } = setUp();
    await deploy();
    expect(await deploy(aDeployRequest({ workflowId: 'w2', workflowName: 'copy', deploymentId: 'd2' }))).toEqual({ outcome: 'failed' });
    expect(state().deployments['w2']).toMatchObject({ status: 'failed', servingVersion: null, httpPath: null });
    expect(events().at(-1)).toMatchObject({ type: 'WorkflowDeployFailed', reason: 'the HTTP path add-ten is already served by the workflow add-ten (w1) of this project' });
    expect(await deploy(aDeployRequest({ projectId: 'p2', workflowId: 'w3', deploymentId: 'd3' }))).toEqual({ outcome: 'deployed' });
  });

  it('drops a preparation that a later request superseded: only the latest request is answered', async () => {
    const { deps, state, events } = setUp();
    await handleDeployRequested(deps, aDeployRequest());
    await handleDeployRequested(deps, aDeployRequest({ version: 2, deploymentId: 'd2', actions: [v2] }));
    expect(await prepareDeployment(deps, { workflowId: 'w1', deploymentId: 'd1' })).toEqual({ outcome: 'superseded' });
    expect(await prepareDeployment(deps, { workflowId: 'w1', deploymentId: 'd2' })).toEqual({ outcome: 'deployed' });
    expect(events().map((e) => [e.type, e.deploymentId])).toEqual([['WorkflowDeployed', 'd2']]);
    expect(state().deployments['w1']).toMatchObject({ servingVersion: 2 });
  });

  it('refuses a deleted project\'s request and waits (throws) for a project it does not know yet', async () => {
    const { deps, state } = setUp();
    expect(await handleDeployRequested(deps, aDeployRequest({ projectId: 'gone' }))).toEqual({ ok: false, error: { type: 'ProjectDeleted', projectId: 'gone' } });
    await expect(handleDeployRequested(deps, aDeployRequest({ projectId: 'later' }))).rejects.toThrow('project later is not known to the runner yet');
    expect(state().deployments).toEqual({});
    expect(state().versions).toEqual({});
  });

  it('lists what is left deploying, for the job to prepare after a restart', async () => {
    const { deps, deploy, state } = setUp();
    await handleDeployRequested(deps, aDeployRequest());
    await deploy(aDeployRequest({ workflowId: 'w2', workflowName: 'other', deploymentId: 'dx', documentJson: aDocument(null) }));
    const left = await deps.uow(async (tx) => tx.deployments.deploying());
    expect(left).toEqual([{ workflowId: 'w1', deploymentId: 'd1' }]);
    expect(state().deployments['w2']?.status).toBe('active');
  });
});

describe('undeploying a workflow', () => {
  it('stops serving it in the request\'s own transaction, emitting nothing and waiting for no run', async () => {
    const { deploy, deps, state, events, released } = setUp();
    await deploy();
    expect(await handleUndeployRequested(deps, anUndeployRequest({ mode: 'graceful' }))).toEqual({ ok: true, value: { outcome: 'undeploying' } });
    expect(state().deployments['w1']).toMatchObject({ status: 'undeploying', mode: 'graceful', servingVersion: null, httpPath: null, deploymentId: 'u1' });
    expect(events().map((e) => e.type)).toEqual(['WorkflowDeployed']);
    expect(released).toEqual([]);
    expect(await deps.uow(async (tx) => tx.deployments.undeploying())).toEqual([{ workflowId: 'w1', deploymentId: 'u1' }]);
  });

  it.each(['graceful', 'immediate'] as const)('settles its runs in flight, then answers WorkflowUndeployed with the served version (%s)', async (mode) => {
    const { deploy, undeploy, state, events, released } = setUp();
    await deploy();
    expect(await undeploy(anUndeployRequest({ mode }))).toEqual({ outcome: 'undeployed', mode, canceled: 0 });
    expect(state().deployments['w1']).toMatchObject({ status: 'undeployed', mode, servingVersion: null, httpPath: null, deploymentId: 'u1' });
    expect(events().at(-1)).toEqual({ type: 'WorkflowUndeployed', projectId: 'p1', workflowId: 'w1', deploymentId: 'u1', version: 1, occurredAt: clock() });
    expect(released).toEqual(['add-one@1.0.0']);
  });

  it('lets the runs in flight settle after new runs are refused and before answering, saying how many were canceled', async () => {
    const { deploy, undeploy, state, events } = setUp();
    await deploy();
    const seen: unknown[] = [];
    const runs: RunsInFlight = {
      settle: async (deployment, mode) => {
        seen.push([state().deployments['w1']?.status, state().deployments['w1']?.servingVersion, deployment.workflowId, mode, events().length]);
        return { canceled: 2 };
      },
    };
    expect(await undeploy(anUndeployRequest({ mode: 'immediate' }), runs)).toEqual({ outcome: 'undeployed', mode: 'immediate', canceled: 2 });
    expect(seen).toEqual([['undeploying', null, 'w1', 'immediate', 1]]);
    expect(events().map((e) => e.type)).toEqual(['WorkflowDeployed', 'WorkflowUndeployed']);
  });

  it('settles once: a second settling (a restart, another replica) or one superseded by a later request writes nothing', async () => {
    const { deploy, deps, undeploy, events } = setUp();
    await deploy();
    await undeploy();
    expect(await settleUndeployment({ ...deps, runs: noRuns }, { workflowId: 'w1', deploymentId: 'u1' })).toEqual({ outcome: 'superseded' });
    await handleUndeployRequested(deps, anUndeployRequest({ deploymentId: 'u2' }));
    await deploy(aDeployRequest({ version: 2, deploymentId: 'd3' }));
    expect(await settleUndeployment({ ...deps, runs: noRuns }, { workflowId: 'w1', deploymentId: 'u2' })).toEqual({ outcome: 'superseded' });
    expect(events().map((e) => e.type)).toEqual(['WorkflowDeployed', 'WorkflowUndeployed', 'WorkflowDeployed']);
  });

  it('ignores a redelivery, refuses an unknown workflow, keeps actions another deployment uses, and frees the path for others', async () => {
    const { deploy, deps, undeploy, events, released } = setUp();
    await deploy();
    await deploy(aDeployRequest({ workflowId: 'w2', workflowName: 'other', deploymentId: 'dx', documentJson: aDocument(null) }));
    await undeploy();
    expect(await handleUndeployRequested(deps, anUndeployRequest())).toEqual({ ok: true, value: { outcome: 'redelivered' } });
    expect(await handleUndeployRequested(deps, anUndeployRequest({ workflowId: 'nope' }))).toEqual({ ok: true, value: { outcome: 'unknown' } });
    expect(events().filter((e) => e.type === 'WorkflowUndeployed')).toHaveLength(1);
    expect(released).toEqual([]);
    expect(await deploy(aDeployRequest({ workflowId: 'w3', workflowName: 'copy', deploymentId: 'd3' }))).toEqual({ outcome: 'deployed' });
  });

  it('supersedes a deploy still being prepared: only the undeploy is answered, and the version being deployed is released', async () => {
    const { deps, deploy, undeploy, state, events, released } = setUp();
    await deploy();
    await handleDeployRequested(deps, aDeployRequest({ version: 2, deploymentId: 'd2', actions: [v2] }));
    await undeploy();
    expect(await prepareDeployment(deps, { workflowId: 'w1', deploymentId: 'd2' })).toEqual({ outcome: 'superseded' });
    expect(events().map((e) => [e.type, e.version])).toEqual([['WorkflowDeployed', 1], ['WorkflowUndeployed', 1]]);
    expect(state().deployments['w1']).toMatchObject({ status: 'undeployed', servingVersion: null });
    expect(released).toEqual(['add-one@1.0.0', 'add-one@2.0.0']);
  });
});
