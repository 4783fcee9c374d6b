import { describe, expect, it } from 'vitest';
import { aDeployRequest, aPinnedAction, anUndeployRequest, makeFakes, makeFakeSite } from './fakes.js';
import { handleDeployRequested } from './handle-deploy-requested.js';
import { handleUndeployRequested } from './handle-undeploy-requested.js';
import { prepareDeployment } from './prepare-deployment.js';

const clock = () => new Date('2026-12-01T10:00:05Z');
const action = aPinnedAction();

const documentWith = (trigger: Record<string, unknown>) => JSON.stringify({
  apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'add-ten', trigger, steps: [{ id: 's0', action: `${action.actionId}@${action.version}`, inputs: {} }],
});

describe('a schedule goes with the version that serves', () => {
  const fakes = makeFakes({ projects: { p1: 'known' } });
  const deps = { uow: fakes.uow, site: makeFakeSite({}).site, clock, runs: { settle: async () => ({ canceled: 0 }) } };
  const deployed = async (version: number, trigger: Record<string, unknown>) => {
    const request = aDeployRequest({ version, deploymentId: `d${version}`, documentJson: documentWith(trigger), actions: [action] });
    await handleDeployRequested(deps, request);
    return prepareDeployment(deps, { workflowId: request.workflowId, deploymentId: request.deploymentId });
  };

  it('deployed with a schedule trigger: saved, from its first tick after the deploy', async () => {
    expect(await deployed(1, { type: 'schedule', cron: '*/10 * * * *', timezone: 'Europe/Paris', missed: 'catch_up', catch_up_limit: 3, inputs: { n: 1 } })).toEqual({ outcome: 'deployed' });
    expect(fakes.state().schedules['w1']).toEqual({
      workflowId: 'w1', projectId: 'p1', version: 1, cron: '*/10 * * * *', timezone: 'Europe/Paris', missed: 'catch_up', catchUpLimit: 3, inputs: { n: 1 },
      nextTickAt: new Date('2026-12-01T10:10:00Z'), lastTickAt: null,
    });
  });

  it('redeployed with an HTTP trigger: removed', async () => {
    expect(await deployed(2, { type: 'http', path: 'add-ten' })).toEqual({ outcome: 'deployed' });
    expect(fakes.state().schedules['w1']).toBeUndefined();
  });

  it('undeployed: removed in the request\'s own transaction', async () => {
    await deployed(3, { type: 'schedule', cron: '0 * * * *' });
    expect(fakes.state().schedules['w1']).toMatchObject({ version: 3, nextTickAt: new Date('2026-12-01T11:00:00Z') });
    await handleUndeployRequested(deps, anUndeployRequest());
    expect(fakes.state().schedules['w1']).toBeUndefined();
  });
});
