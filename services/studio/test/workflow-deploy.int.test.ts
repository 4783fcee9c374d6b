// Deploying workflows through the real broker: studio's requests read from a queue of the test's
// own bound to `trellis.studio`, the runner's answers published on `trellis.runner` as the runner
// publishes them.
import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deadLetterQueueOf } from '@trellis/platform/amqp/topology';
import { drainQueue } from '@trellis/platform/testing/amqp';
import { eventually } from '@trellis/platform/testing/eventually';
import { publishAs } from '@trellis/platform/testing/service-harness';
import * as runner from '../src/infrastructure/pb/runner/v1/events.js';
import * as pb from '../src/infrastructure/pb/studio/v1/events.js';
import { QUEUE, useStudio } from './fixtures.js';
import { makeCall } from './http-calls.js';
import { aProject, digestOf, EVERYTHING_YAML, YAML } from './workflow-support.js';

const service = useStudio();
const call = makeCall(() => service.studio.base);

/** Studio's deploy and undeploy requests since the last call, decoded (other messages, e.g. variables set, are left out). */
async function requests() {
  const messages = await service.published();
  return {
    deploys: messages.filter((m) => m.type === 'trellis.studio.v1.WorkflowDeployRequested').map((m) => ({ messageId: m.messageId, ...pb.WorkflowDeployRequested.decode(m.content) })),
    undeploys: messages.filter((m) => m.type === 'trellis.studio.v1.WorkflowUndeployRequested').map((m) => pb.WorkflowUndeployRequested.decode(m.content)),
  };
}

/** The runner's answer to a request, as it would publish it. */
const meta = (projectId: string) => ({ eventId: randomUUID(), occurredAt: new Date(), projectId, traceId: 'runner-trace' });
const deployed = (projectId: string, workflowId: string, deploymentId: string, version: number) =>
  service.fromRunner('WorkflowDeployed', runner.WorkflowDeployed.encode({ meta: meta(projectId), workflowId, deploymentId, version, site: 'local' }).finish());
const failed = (projectId: string, workflowId: string, deploymentId: string, version: number, reason: string) =>
  service.fromRunner('WorkflowDeployFailed', runner.WorkflowDeployFailed.encode({ meta: meta(projectId), workflowId, deploymentId, version, reason }).finish());
const undeployed = (projectId: string, workflowId: string, deploymentId: string, version: number) =>
  service.fromRunner('WorkflowUndeployed', runner.WorkflowUndeployed.encode({ meta: meta(projectId), workflowId, deploymentId, version }).finish());

async function imported(p: Awaited<ReturnType<typeof aProject>>, yaml = EVERYTHING_YAML): Promise<string> {
  const answer = await call('POST', '/workflows/import', { token: p.developer, rawBody: yaml, contentType: YAML });
  expect(answer.status).toBe(201);
  if (yaml === EVERYTHING_YAML) expect(answer.body.problems).toEqual([]);
  await requests(); // what the project's set-up published
  return answer.body.id as string;
}

describe('deploying a workflow', () => {
  it('freezes version 1 and emits one WorkflowDeployRequested with the whole pinned snapshot; WorkflowDeployed makes it deployed', async () => {
    const p = await aProject(service, call);
    const id = await imported(p);
    const answer = await call('POST', `/workflows/${id}/deploy`, { token: p.operator });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ id, latest_version: 1, deployment: { status: 'deploying', version: 1, serving_version: null, requested_by: p.users.operator } });

    const version = (await call('GET', `/workflows/${id}/versions/1`, { token: p.viewer })).body;
    expect(version).toMatchObject({
      version: 1, created_by: p.users.operator,
      actions: [
        { id: 'add-one', version: '1.1.0', digest: digestOf('b') }, { id: 'add-one', version: '1.0.0', digest: digestOf('a') },
        { id: 'undo', version: '1.0.0', digest: digestOf('e') }, { id: 'resize', version: '2.0.0', digest: digestOf('c') },
      ],
    });
    const { deploys } = await eventually(requests, (found) => found.deploys.length > 0);
    expect(deploys).toHaveLength(1);
    const [request] = deploys;
    if (!request) throw new Error('no request');
    expect(request).toMatchObject({
      meta: { projectId: p.projectId, eventId: request.messageId }, workflowId: id, workflowName: 'add-ten', version: 1, checksum: version.checksum,
      requestedBy: p.users.operator,
    });
    expect(request.deploymentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(request.documentJson)).toEqual(version.document);
    expect(request.documentJson).toBe(JSON.stringify(version.document));
    const pins = version.actions as Array<{ id: string; version: string; digest: string }>;
    expect(request.checksum).toBe(createHash('sha256').update(`${request.documentJson}\n${JSON.stringify(
      [...pins].sort((a, b) => `${a.id}@${a.version}`.localeCompare(`${b.id}@${b.version}`)).map((pin) => [pin.id, pin.version, pin.digest]))}`).digest('hex'));
    expect(request.actions.map((a) => `${a.id}@${a.version} ${a.digest.slice(0, 1)}`)).toEqual(['add-one@1.1.0 b', 'add-one@1.0.0 a', 'undo@1.0.0 e', 'resize@2.0.0 c']);
    expect(request.actions[3]).toEqual({
      id: 'resize', version: '2.0.0', digest: digestOf('c'), artifactObject: `action-builder/projects/${p.projectId}/artifacts/${digestOf('c')}.tar.gz`, artifactSize: '4096',
      kind: 'Processor', runtime: 'python', format: 'trellis',
      inputs: [
        { name: 'image', type: 'string', help: 'A URL', optional: false, values: [], defaultJson: '', injected: '', hasSecretDefault: false },
        { name: 'width', type: 'integer', help: '', optional: false, values: [], defaultJson: '800', injected: '', hasSecretDefault: false },
        { name: 'token', type: 'password', help: '', optional: true, values: [], defaultJson: '', injected: '', hasSecretDefault: false },
      ],
      outputs: [{ name: 'url', type: 'string', help: '', optional: false, values: [], defaultJson: '', injected: '', hasSecretDefault: false }],
      resources: { cpu: 1, memoryBytes: '536870912', timeoutMs: '30000' },
      image: '',
    });
    expect(request.site).toBe('local');
    expect(request.documentJson).not.toContain('not-for-your-eyes');

    await deployed(p.projectId, id, request.deploymentId, 1);
    expect((await call('GET', `/workflows/${id}`, { token: p.viewer })).body.deployment).toEqual({
      status: 'deployed', version: 1, serving_version: 1, requested_by: p.users.operator, updated_at: expect.any(String),
    });
    const list = await call('GET', '/workflows?status=deployed', { token: p.viewer });
    expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([id]);
  });

  it('ignores a stale answer, records a failure with its reason (the older version keeps serving), reuses an unchanged draft\'s version and rolls back', async () => {
    const p = await aProject(service, call);
    const id = await imported(p);
    const deploy = async (body?: object) => {
      const answer = await call('POST', `/workflows/${id}/deploy`, { token: p.operator, ...(body ? { body } : {}) });
      expect(answer.status, answer.text).toBe(202);
      const { deploys } = await eventually(requests, (found) => found.deploys.length > 0);
      expect(deploys).toHaveLength(1);
      return deploys[0] as pb.WorkflowDeployRequested;
    };
    const status = async () => (await call('GET', `/workflows/${id}`, { token: p.viewer })).body.deployment;

    const first = await deploy();
    await deployed(p.projectId, id, first.deploymentId, 1);
    const again = await deploy();
    expect(again).toMatchObject({ version: 1, checksum: first.checksum });
    expect(again.deploymentId).not.toBe(first.deploymentId);
    await deployed(p.projectId, id, first.deploymentId, 1); // the answer to the first request, late: stale
    expect(await status()).toMatchObject({ status: 'deploying', version: 1, serving_version: 1 });
    await deployed(p.projectId, id, again.deploymentId, 1);

    await call('PATCH', `/workflows/${id}`, { token: p.developer, body: { title: 'Add ten, v2' } });
    const second = await deploy();
    expect(second.version).toBe(2);
    expect(second.checksum).not.toBe(first.checksum);
    await failed(p.projectId, id, second.deploymentId, 2, 'artifact resize@2.0.0: digest mismatch');
    expect(await status()).toMatchObject({ status: 'failed', version: 2, serving_version: 1, reason: 'artifact resize@2.0.0: digest mismatch' });

    const rollback = await deploy({ version: 1 });
    expect(rollback).toMatchObject({ version: 1, checksum: first.checksum, documentJson: first.documentJson });
    await deployed(p.projectId, id, rollback.deploymentId, 1);
    expect(await status()).toMatchObject({ status: 'deployed', version: 1, serving_version: 1 });
    expect((await call('GET', `/workflows/${id}/versions`, { token: p.viewer })).body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect((await call('GET', `/workflows/${id}/versions?limit=1`, { token: p.viewer })).body).toMatchObject({ items: [{ version: 2 }], next: expect.any(String) });
    expect(await call('POST', `/workflows/${id}/deploy`, { token: p.operator, body: { version: 9 } })).toMatchObject({ status: 404, body: { code: 'workflow_version_not_found' } });
    expect(await call('POST', `/workflows/${id}/deploy`, { token: p.operator, body: { version: 'one' } })).toMatchObject({ status: 400 });
    expect(await call('POST', `/workflows/${id}/deploy`, { token: p.operator, body: { version: 2 ** 31 } })).toMatchObject({ status: 400, body: { code: 'invalid_request' } });

    const v1 = await call('GET', `/workflows/${id}/export?version=1`, { token: p.viewer });
    const v2 = await call('GET', `/workflows/${id}/export?version=2`, { token: p.viewer });
    expect(v1.text).toContain('title: Add ten\n');
    expect(v2.text).toContain('title: Add ten, v2\n');
    expect(await call('GET', `/workflows/${id}/export?version=3`, { token: p.viewer })).toMatchObject({ status: 404, body: { code: 'workflow_version_not_found' } });
  });

  it('refuses a draft with problems (422 listing them all) and emits nothing', async () => {
    const p = await aProject(service, call);
    const id = await imported(p, EVERYTHING_YAML.replace('action: undo', 'action: ghost').replace('${{ vars.WIDTH }}', '${{ vars.NOPE }}'));
    const refused = await call('POST', `/workflows/${id}/deploy`, { token: p.operator });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'workflow_invalid' });
    expect(refused.body.errors.map((e: { code: string; path: string }) => `${e.code} ${e.path}`)).toEqual(['unknown_action steps[2].action', 'unknown_variable steps[3].inputs.width']);
    const created = await call('GET', `/workflows/${id}`, { token: p.viewer });
    expect(created.body).toMatchObject({ latest_version: null, deployment: null });
    expect((await requests()).deploys).toEqual([]);
  });

  it('undeploys gracefully or immediately; WorkflowUndeployed makes it undeployed; nothing deployed is a 409', async () => {
    const p = await aProject(service, call);
    const id = await imported(p);
    expect(await call('POST', `/workflows/${id}/undeploy`, { token: p.operator })).toMatchObject({ status: 409, body: { code: 'not_deployed' } });
    await call('POST', `/workflows/${id}/deploy`, { token: p.operator });
    const [request] = (await eventually(requests, (found) => found.deploys.length > 0)).deploys;
    await deployed(p.projectId, id, request?.deploymentId ?? '', 1);

    const graceful = await call('POST', `/workflows/${id}/undeploy`, { token: p.operator });
    expect(graceful).toMatchObject({ status: 202, body: { deployment: { status: 'undeploying', version: 1, serving_version: 1, mode: 'graceful' } } });
    const immediate = await call('POST', `/workflows/${id}/undeploy`, { token: p.operator, body: { mode: 'immediate' } });
    expect(immediate.body.deployment).toMatchObject({ status: 'undeploying', mode: 'immediate' });
    const { undeploys } = await eventually(requests, (found) => found.undeploys.length >= 2);
    expect(undeploys.map((u) => [u.workflowId, u.mode, u.requestedBy])).toEqual([
      [id, pb.UndeployMode.UNDEPLOY_MODE_GRACEFUL, p.users.operator], [id, pb.UndeployMode.UNDEPLOY_MODE_IMMEDIATE, p.users.operator],
    ]);
    await undeployed(p.projectId, id, undeploys[0]?.deploymentId ?? '', 1); // answers the graceful request, which the immediate one replaced
    expect((await call('GET', `/workflows/${id}`, { token: p.viewer })).body.deployment.status).toBe('undeploying');
    await undeployed(p.projectId, id, undeploys[1]?.deploymentId ?? '', 1);
    expect((await call('GET', `/workflows/${id}`, { token: p.viewer })).body.deployment).toMatchObject({ status: 'undeployed', version: 1, serving_version: null });
    expect(await call('POST', `/workflows/${id}/undeploy`, { token: p.operator })).toMatchObject({ status: 409, body: { code: 'not_deployed' } });
    expect(await call('POST', `/workflows/${id}/undeploy`, { token: p.operator, body: { mode: 'later' } })).toMatchObject({ status: 400 });
  });

  it('refuses to delete a deployed workflow, or an action version, a variable or a secret it uses (naming it), until it is undeployed', async () => {
    const p = await aProject(service, call);
    const id = await imported(p);
    await call('POST', `/workflows/${id}/deploy`, { token: p.operator });
    const [request] = (await eventually(requests, (found) => found.deploys.length > 0)).deploys;
    expect(await call('DELETE', `/workflows/${id}`, { token: p.developer })).toMatchObject({ status: 409, body: { code: 'workflow_deployed' } });
    const used = await call('DELETE', '/actions/resize/versions/2.0.0', { token: p.developer });
    expect(used).toMatchObject({ status: 409, body: { code: 'action_version_in_use' } });
    expect(used.body.detail).toContain('"add-ten"');
    await deployed(p.projectId, id, request?.deploymentId ?? '', 1);
    expect(await call('DELETE', '/actions/resize/versions/2.0.0', { token: p.developer })).toMatchObject({ status: 409, body: { code: 'action_version_in_use' } });
    const variable = await call('DELETE', '/variables/WIDTH', { token: p.developer });
    expect(variable).toMatchObject({ status: 409, body: { code: 'variable_in_use', detail: expect.stringContaining('"add-ten"') } });
    expect(await call('DELETE', '/secrets/API_TOKEN', { token: p.developer })).toMatchObject({ status: 409, body: { code: 'secret_in_use' } });
    expect((await call('PUT', '/variables/WIDTH', { token: p.developer, body: { value: 1024 } })).status).toBe(200);

    await call('POST', `/workflows/${id}/undeploy`, { token: p.operator });
    const [undeploy] = (await eventually(requests, (found) => found.undeploys.length > 0)).undeploys;
    expect(await call('DELETE', `/workflows/${id}`, { token: p.developer })).toMatchObject({ status: 409, body: { code: 'workflow_deployed' } });
    await undeployed(p.projectId, id, undeploy?.deploymentId ?? '', 1);
    expect((await call('DELETE', '/actions/resize/versions/2.0.0', { token: p.developer })).status).toBe(204);
    expect((await call('DELETE', '/variables/WIDTH', { token: p.developer })).status).toBe(204);
    expect((await call('DELETE', '/secrets/API_TOKEN', { token: p.developer })).status).toBe(204);
    // Version 1 pins the deleted build: deploying it again is refused; the draft names everything missing.
    expect(await call('POST', `/workflows/${id}/deploy`, { token: p.operator, body: { version: 1 } })).toMatchObject({ status: 409, body: { code: 'pinned_action_unavailable' } });
    const draft = await call('POST', `/workflows/${id}/deploy`, { token: p.operator });
    expect(draft.status).toBe(422);
    expect(draft.body.errors.map((e: { code: string; path: string }) => `${e.code} ${e.path}`)).toEqual([
      'unknown_action steps[3].action', 'unknown_variable steps[3].inputs.width', 'unknown_secret steps[3].inputs.token',
    ]);
    expect((await call('DELETE', `/workflows/${id}`, { token: p.developer })).status).toBe(204);
    expect(await service.studio.database.db.selectFrom('workflow_versions').select('version').where('workflow_id', '=', id).execute()).toEqual([]);
  });

  it('dead-letters an answer it cannot use, and ignores one about a workflow it does not have', async () => {
    const p = await aProject(service, call);
    await deployed(p.projectId, randomUUID(), randomUUID(), 1);
    const broken = runner.WorkflowDeployed.encode({ meta: meta(p.projectId), workflowId: 'not-a-uuid', deploymentId: randomUUID(), version: 1, site: 'local' }).finish();
    await publishAs(service.studio.vhost.url, 'runner', 'trellis.runner.v1.WorkflowDeployed', broken);
    const dead: unknown[] = [];
    await eventually(async () => {
      dead.push(...(await drainQueue(service.studio.vhost.url, deadLetterQueueOf(QUEUE))));
      return dead.length;
    }, (count) => count >= 1);
  });
});
