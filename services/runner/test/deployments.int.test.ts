import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deadLetterQueueOf } from '@trellis/platform/amqp/topology';
import { drainQueue } from '@trellis/platform/testing/amqp';
import { eventually } from '@trellis/platform/testing/eventually';
import { makeCall } from '@trellis/platform/testing/http-call';
import * as studio from '../src/infrastructure/pb/studio/v1/events.js';
import { aDeployRequested, aPinned, makeTestSite, QUEUE, useDeploymentRunner } from './deployment-support.js';

const { runner, testSite, answersTo, answers, asStudio, knownProject, deployRequested, undeployRequested, deployment, restart } = useDeploymentRunner();
const call = makeCall(() => runner.base);

const deployedAnswer = (request: studio.WorkflowDeployRequested) => ({
  type: 'trellis.runner.v1.WorkflowDeployed',
  message: expect.objectContaining({ workflowId: request.workflowId, deploymentId: request.deploymentId, version: request.version, site: 'local' }),
});

describe('deployments requested by studio', () => {
  it('prepares the pinned actions and answers WorkflowDeployed on trellis.runner; the workflow serves the version, listed for viewers', async () => {
    const projectId = await knownProject();
    const request = aDeployRequested(projectId, { actions: [aPinned(), aPinned({ id: 'times-two' })] });
    await deployRequested(request);
    const [answer] = await answersTo(request.deploymentId);
    expect(answer).toEqual(deployedAnswer(request));
    expect(answer?.message.meta).toMatchObject({ projectId, traceId: expect.stringMatching(/^trace-/) });
    expect(await deployment(request.workflowId)).toMatchObject({ status: 'active', version: 1, serving_version: 1, trigger_type: 'http', http_path: 'add-ten', reason: '' });
    expect(testSite.prepared).toEqual(expect.arrayContaining(['add-one@1.0.0', 'times-two@1.0.0']));
    // The version is kept as received: the document byte for byte, the pins as sent.
    const version = await runner.database.db.selectFrom('deployed_versions').select(['document', 'actions']).where('workflow_id', '=', request.workflowId).executeTakeFirstOrThrow();
    expect(JSON.stringify(version.document)).toBe(request.documentJson);
    expect(version.actions).toEqual([
      expect.objectContaining({ actionId: 'add-one', version: '1.0.0', digest: 'a'.repeat(64), resources: { cpu: 0.5, memoryBytes: 268435456, timeoutMs: 60000 } }),
      expect.objectContaining({ actionId: 'times-two' }),
    ]);

    const listed = await call('GET', '/deployments', { token: await runner.jwks.sign({ projectId, role: 'viewer' }) });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({
      items: [{
        workflow_id: request.workflowId, name: 'add-ten', version: 1, serving_version: 1, status: 'active', mode: null, reason: '', trigger: 'http',
        http_path: 'add-ten', next_run_at: null, site: 'local', trigger_action: null, updated_at: expect.any(String),
        actions: [
          { action: 'add-one@1.0.0', digest: 'a'.repeat(64), site_state: { state: 'ready', processes: 1, in_flight: 0, cold_starts: 1, last_cold_start_ms: 12, restarts: 0 } },
          { action: 'times-two@1.0.0', digest: 'a'.repeat(64), site_state: expect.objectContaining({ state: 'ready' }) },
        ],
      }],
      next: null,
    });
    const other = await call('GET', '/deployments', { token: await runner.jwks.sign({ projectId: await knownProject(), role: 'viewer' }) });
    expect(other.body).toEqual({ items: [], next: null });
    // Another project running its own build of add-one@1.0.0: each listing shows its own process only.
    const third = await knownProject();
    const theirs = aDeployRequested(third, { actions: [aPinned({ digest: 'b'.repeat(64) })] });
    await deployRequested(theirs);
    await answersTo(theirs.deploymentId);
    const stateIn = async (project: string) => (await call('GET', '/deployments', { token: await runner.jwks.sign({ projectId: project, role: 'viewer' }) }))
      .body.items[0].actions[0].site_state?.last_cold_start_ms;
    expect([await stateIn(projectId), await stateIn(third)]).toEqual([12, 34]);
  });

  it('keeps the site studio chose and each action\'s image for it; a site this runner has not enabled fails the deploy saying so', async () => {
    const projectId = await knownProject();
    const image = `trellis-action/on-docker@sha256:${'1'.repeat(64)}`;
    const request = aDeployRequested(projectId, { site: 'docker', actions: [aPinned({ id: 'on-docker', image })] });
    await deployRequested(request);
    const [answer] = await answersTo(request.deploymentId);
    expect(answer).toEqual({
      type: 'trellis.runner.v1.WorkflowDeployFailed',
      message: expect.objectContaining({ deploymentId: request.deploymentId, reason: 'action on-docker@1.0.0: the docker site is not enabled on this runner (TRELLIS_SITES)' }),
    });
    expect(testSite.prepared).not.toContain('on-docker@1.0.0');
    const version = await runner.database.db.selectFrom('deployed_versions').select(['site', 'actions']).where('workflow_id', '=', request.workflowId).executeTakeFirstOrThrow();
    expect(version).toEqual({ site: 'docker', actions: [expect.objectContaining({ actionId: 'on-docker', image })] });
    const listed = await call('GET', '/deployments', { token: await runner.jwks.sign({ projectId, role: 'viewer' }) });
    expect(listed.body.items).toEqual([expect.objectContaining({ workflow_id: request.workflowId, status: 'failed', site: 'docker' })]);
  });

  it('scales a deployment\'s action processes to zero on a developer\'s request (the site stops each one now); 404 for another project\'s, 403 for an operator', async () => {
    const projectId = await knownProject();
    const request = aDeployRequested(projectId, { actions: [aPinned({ id: 'scaled-one' }), aPinned({ id: 'scaled-two' })] });
    await deployRequested(request);
    await answersTo(request.deploymentId);
    const path = `/deployments/${request.workflowId}/scale-to-zero`;
    const scaled = await call('POST', path, { token: await runner.jwks.sign({ projectId, role: 'developer' }) });
    expect(scaled.status).toBe(200);
    expect(scaled.body).toEqual({ actions: [{ action: 'scaled-one@1.0.0', outcome: 'stopped' }, { action: 'scaled-two@1.0.0', outcome: 'stopped' }] });
    expect(testSite.scaled).toEqual(['scaled-one@1.0.0', 'scaled-two@1.0.0']);
    expect((await call('POST', path, { token: await runner.jwks.sign({ projectId, role: 'operator' }) })).status).toBe(403);
    expect((await call('POST', path, { token: await runner.jwks.sign({ projectId: await knownProject(), role: 'developer' }) })).status).toBe(404);
    expect((await call('POST', '/deployments/not-a-uuid/scale-to-zero', { token: await runner.jwks.sign({ projectId, role: 'developer' }) })).status).toBe(404);
    expect(testSite.scaled).toHaveLength(2);
  });

  it('deploys once when the request is delivered twice, or sent again with the same deployment id', async () => {
    const projectId = await knownProject();
    const request = aDeployRequested(projectId, { actions: [aPinned({ id: 'once' })] });
    const messageId = randomUUID();
    await deployRequested(request, messageId);
    await answersTo(request.deploymentId);
    await deployRequested(request, messageId); // the same message again (the inbox)
    await deployRequested({ ...request, meta: { ...request.meta!, eventId: randomUUID() } }); // a new message, same deployment
    // A later deployment of another workflow is answered after them: had the repeats been acted on, their answers would be there first.
    const marker = aDeployRequested(projectId, { path: 'marker', actions: [aPinned({ id: 'marker' })] });
    await deployRequested(marker);
    await answersTo(marker.deploymentId);
    expect(await answersTo(request.deploymentId)).toHaveLength(1);
    expect(testSite.prepared.filter((name) => name === 'once@1.0.0')).toHaveLength(1);
  });

  it('answers WorkflowDeployFailed with the site\'s reason and keeps serving the version deployed before', async () => {
    const projectId = await knownProject();
    const first = aDeployRequested(projectId, { path: 'keeps', actions: [aPinned({ id: 'stable' })] });
    await deployRequested(first);
    await answersTo(first.deploymentId);
    testSite.fail('stable@2.0.0', 'artifact stable@2.0.0: digest mismatch');
    const second = aDeployRequested(projectId, { workflowId: first.workflowId, version: 2, path: 'keeps', actions: [aPinned({ id: 'stable', version: '2.0.0' })] });
    await deployRequested(second);
    const [answer] = await answersTo(second.deploymentId);
    expect(answer).toEqual({
      type: 'trellis.runner.v1.WorkflowDeployFailed',
      message: expect.objectContaining({ workflowId: first.workflowId, deploymentId: second.deploymentId, version: 2, reason: 'action stable@2.0.0: artifact stable@2.0.0: digest mismatch' }),
    });
    expect(await deployment(first.workflowId)).toMatchObject({ status: 'failed', version: 2, serving_version: 1, http_path: 'keeps' });
    expect(testSite.released).toContain('stable@2.0.0');
    expect(testSite.released).not.toContain('stable@1.0.0');
  });

  it('fails a deploy whose HTTP path another workflow of the project serves, saying which', async () => {
    const projectId = await knownProject();
    const first = aDeployRequested(projectId, { path: 'orders/new', workflowName: 'orders' });
    await deployRequested(first);
    await answersTo(first.deploymentId);
    const clash = aDeployRequested(projectId, { path: 'orders/new', workflowName: 'copy' });
    await deployRequested(clash);
    const [answer] = await answersTo(clash.deploymentId);
    expect(answer).toMatchObject({
      type: 'trellis.runner.v1.WorkflowDeployFailed',
      message: { reason: `the HTTP path orders/new is already served by the workflow orders (${first.workflowId}) of this project` },
    });
    expect(await deployment(clash.workflowId)).toMatchObject({ status: 'failed', serving_version: null, http_path: null });
    expect(await deployment(first.workflowId)).toMatchObject({ status: 'active', http_path: 'orders/new' });
  });

  it.each([
    ['graceful', studio.UndeployMode.UNDEPLOY_MODE_GRACEFUL],
    ['immediate', studio.UndeployMode.UNDEPLOY_MODE_IMMEDIATE],
  ] as const)('undeploys (%s): WorkflowUndeployed with the served version, no run accepted, its path free again', async (mode, pbMode) => {
    const projectId = await knownProject();
    const request = aDeployRequested(projectId, { path: `gone-${mode}`, actions: [aPinned({ id: `only-${mode}` })] });
    await deployRequested(request);
    await answersTo(request.deploymentId);
    const undeploymentId = await undeployRequested(projectId, request.workflowId, pbMode);
    const [answer] = await answersTo(undeploymentId);
    expect(answer).toEqual({
      type: 'trellis.runner.v1.WorkflowUndeployed',
      message: expect.objectContaining({ workflowId: request.workflowId, deploymentId: undeploymentId, version: 1 }),
    });
    expect(await deployment(request.workflowId)).toMatchObject({ status: 'undeployed', mode, serving_version: null, http_path: null });
    expect(testSite.released).toContain(`only-${mode}@1.0.0`);
    const again = aDeployRequested(projectId, { path: `gone-${mode}` });
    await deployRequested(again);
    expect(await answersTo(again.deploymentId)).toEqual([deployedAnswer(again)]);
  });

  it('dead-letters a request it cannot use, recording nothing', async () => {
    const projectId = await knownProject();
    const good = aDeployRequested(projectId);
    const bad = [
      { ...good, workflowId: 'not-a-uuid' },
      { ...good, version: 0 },
      { ...good, documentJson: '{not json' },
      { ...good, actions: [aPinned({ digest: 'short' })] },
      { ...good, actions: [aPinned({ kind: 'Sorcerer' })] },
    ];
    for (const message of bad) await asStudio('WorkflowDeployRequested', studio.WorkflowDeployRequested.encode(message).finish());
    await asStudio('WorkflowUndeployRequested', studio.WorkflowUndeployRequested.encode(studio.WorkflowUndeployRequested.fromPartial({
      meta: good.meta, workflowId: good.workflowId, deploymentId: randomUUID(), mode: studio.UndeployMode.UNDEPLOY_MODE_UNSPECIFIED,
    })).finish());
    const dead: unknown[] = [];
    await eventually(async () => {
      dead.push(...(await drainQueue(runner.vhost.url, deadLetterQueueOf(QUEUE))));
      return dead.length;
    }, (count) => count >= 6);
    expect(await deployment(good.workflowId)).toBeUndefined();
  });
});

describe('a deployment left deploying', () => {
  it('is prepared again by the next start and completes, answered once', async () => {
    const projectId = await knownProject();
    testSite.hold('slow@1.0.0');
    const request = aDeployRequested(projectId, { path: 'slow', actions: [aPinned({ id: 'slow' })] });
    await deployRequested(request);
    await eventually(async () => testSite.prepared, (names) => names.includes('slow@1.0.0'));
    expect(await deployment(request.workflowId)).toMatchObject({ status: 'deploying' });

    const fresh = makeTestSite();
    const again = await restart(fresh.site);
    try {
      expect(await answersTo(request.deploymentId)).toEqual([deployedAnswer(request)]);
      expect(fresh.prepared).toEqual(['slow@1.0.0']);
      expect(await deployment(request.workflowId)).toMatchObject({ status: 'active', serving_version: 1 });
      expect((await answers()).filter((a) => a.message.deploymentId === request.deploymentId)).toHaveLength(1);
    } finally {
      await again.stop();
    }
  });
});
