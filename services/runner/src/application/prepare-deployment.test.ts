import { describe, expect, it } from 'vitest';
import { aDeployRequest, aPinnedAction, makeFakes, makeFakeSite } from './fakes.js';
import { handleDeployRequested } from './handle-deploy-requested.js';
import { prepareDeployment } from './prepare-deployment.js';

const clock = () => new Date('2026-12-01T10:00:05Z');

describe('a deployment this runner cannot run yet', () => {
  it('fails with the reason, prepares nothing and serves nothing', async () => {
    const fakes = makeFakes({ projects: { p1: 'known' } });
    const site = makeFakeSite({});
    const deps = { uow: fakes.uow, site: site.site, clock, runs: { settle: async () => {} } };
    const action = aPinnedAction();
    const documentJson = JSON.stringify({
      apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'add-ten', trigger: { type: 'schedule', cron: '* * * * *' },
      steps: [{ id: 's0', action: `${action.actionId}@${action.version}`, inputs: {} }],
    });
    const request = aDeployRequest({ documentJson, actions: [action] });
    await handleDeployRequested(deps, request);
    expect(await prepareDeployment(deps, { workflowId: request.workflowId, deploymentId: request.deploymentId })).toEqual({ outcome: 'failed' });
    expect(site.prepared).toEqual([]);
    expect(fakes.state().deployments['w1']).toMatchObject({ status: 'failed', servingVersion: null, reason: 'this runner does not run schedule triggers yet' });
    expect(fakes.state().outbox.map(({ event }) => event.type)).toEqual(['WorkflowDeployFailed']);
  });
});
