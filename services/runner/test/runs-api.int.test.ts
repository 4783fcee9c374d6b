import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeCall } from '@trellis/platform/testing/http-call';
import * as studio from '../src/infrastructure/pb/studio/v1/events.js';
import { aDeployRequested, aPinned, useDeploymentRunner } from './deployment-support.js';
import { makeFakeEngine } from './fake-engine.js';

const fake = makeFakeEngine();
const { runner, answersTo, knownProject, deployRequested } = useDeploymentRunner({ engine: fake.engine });
const call = makeCall(() => runner.base);

/** A deployed two-step workflow (s1 takes a password input) and a token of `role` in its project. */
async function deployed(role = 'viewer') {
  const projectId = await knownProject();
  const io = (name: string, type: string) => studio.IoDescription.fromPartial({ name, type });
  const pin = aPinned({ id: 'login', inputs: [io('user', 'string'), io('password', 'password')], outputs: [io('n', 'integer')] });
  const documentJson = JSON.stringify({
    apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'two-steps', trigger: { type: 'http', path: 'two', inputs: [{ name: 'pin', type: 'password' }, { name: 'n', type: 'integer' }] },
    steps: [{ id: 's1', action: 'login@1.0.0', inputs: { user: 'u', password: '${{ trigger.pin }}' } }, { id: 's2', action: 'login@1.0.0', inputs: { user: 'v', password: 'x' }, needs: ['s1'] }],
  });
  const request = aDeployRequested(projectId, { path: 'two', actions: [pin], documentJson, workflowName: 'two-steps' });
  await deployRequested(request);
  await answersTo(request.deploymentId);
  return { projectId, workflowId: request.workflowId, token: await runner.jwks.sign({ projectId, role }) };
}

/** A run as the engine writes it: s1 done with logs, s2 running (or the run finished). */
async function aRun(projectId: string, workflowId: string, options: { status?: 'running' | 'succeeded' | 'failed'; createdAt?: Date } = {}) {
  const id = randomUUID();
  const status = options.status ?? 'succeeded';
  const at = options.createdAt ?? new Date();
  const db = runner.database.db;
  await db.insertInto('runs').values({
    id, project_id: projectId, workflow_id: workflowId, version: 1, status, trigger_type: 'http', trigger_outputs: JSON.stringify({ pin: '1234', n: 1 }),
    results: status === 'succeeded' ? JSON.stringify({ n: 2 }) : null, error: status === 'failed' ? JSON.stringify({ code: 'boom', message: 'it broke', step: 's2' }) : null,
    owner: null, owner_epoch: '0', idempotency_key: null, created_at: at, started_at: at, finished_at: status === 'running' ? null : new Date(at.getTime() + 50),
  }).execute();
  await db.insertInto('step_runs').values([
    { run_id: id, step_id: 's1', status: 'succeeded', attempt: 2, inputs: JSON.stringify({ user: 'u', password: '1234' }), outputs: JSON.stringify({ n: 2 }), error: null, started_at: at, finished_at: new Date(at.getTime() + 20) },
    { run_id: id, step_id: 's2', status: status === 'running' ? 'running' : status, attempt: 1, inputs: JSON.stringify({ user: 'v', password: '[secret]' }), outputs: null, error: null, started_at: at, finished_at: null },
  ]).execute();
  await db.insertInto('step_attempts').values([
    { run_id: id, step_id: 's1', attempt: 1, status: 'failed', error: JSON.stringify({ code: 'timeout', message: 'late' }), stdout: 'first try\n', stderr: '', logs_truncated: false, started_at: at, finished_at: at },
    { run_id: id, step_id: 's1', attempt: 2, status: 'succeeded', error: null, stdout: 'hello\n', stderr: 'warn\n', logs_truncated: false, started_at: at, finished_at: new Date(at.getTime() + 20) },
  ]).execute();
  return id;
}

describe('the runs API', () => {
  it('lists the project\'s runs newest first, by workflow id or name, status and time, in cursor pages; another project sees none', async () => {
    const { projectId, workflowId, token } = await deployed();
    const ids = [];
    for (let i = 0; i < 3; i += 1) ids.push(await aRun(projectId, workflowId, { createdAt: new Date(Date.UTC(2030, 0, 1, 0, i)) }));
    const failed = await aRun(projectId, workflowId, { status: 'failed', createdAt: new Date(Date.UTC(2030, 0, 2)) });
    const first = await call('GET', '/runs?limit=2', { token });
    expect(first.status).toBe(200);
    expect(first.body.items.map((run: { id: string }) => run.id)).toEqual([failed, ids[2]]);
    expect(first.body.items[0]).toMatchObject({ workflow_id: workflowId, workflow: 'two-steps', version: 1, status: 'failed', trigger: 'http', trigger_outputs: { pin: '***', n: '***' } });
    const second = await call('GET', `/runs?limit=2&cursor=${first.body.next}`, { token });
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: ids[1] }), expect.objectContaining({ id: ids[0] })], next: null });
    expect((await call('GET', '/runs?status=failed', { token })).body.items.map((run: { id: string }) => run.id)).toEqual([failed]);
    expect((await call('GET', '/runs?workflow=two-steps&until=2030-01-01T00:01:30Z', { token })).body.items.map((run: { id: string }) => run.id)).toEqual([ids[1], ids[0]]);
    expect((await call('GET', `/runs?workflow=${workflowId}&since=2030-01-01T00:01:00Z&status=succeeded`, { token })).body.items).toHaveLength(2);
    expect((await call('GET', '/runs?workflow=other', { token })).body.items).toEqual([]);
    const other = await runner.jwks.sign({ projectId: await knownProject(), role: 'owner' });
    expect((await call('GET', '/runs', { token: other })).body.items).toEqual([]);
    expect((await call('GET', `/runs/${failed}`, { token: other })).status).toBe(404);
  });

  it('shows a run with every step (secrets and password inputs masked), a step\'s logs and outputs, its result', async () => {
    const { projectId, workflowId, token } = await deployed();
    const id = await aRun(projectId, workflowId, { status: 'running' });
    const run = await call('GET', `/runs/${id}`, { token });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ id, status: 'running', trigger_outputs: { pin: '***', n: 1 }, finished_at: null });
    expect(run.body.steps).toEqual([
      expect.objectContaining({ id: 's1', action: 'login@1.0.0', status: 'succeeded', inputs: { user: 'u', password: '***' }, outputs: { n: 2 }, duration_ms: 20,
        attempts: [expect.objectContaining({ attempt: 1, status: 'failed', error: { code: 'timeout', message: 'late' } }), expect.objectContaining({ attempt: 2, status: 'succeeded' })] }),
      expect.objectContaining({ id: 's2', status: 'running', inputs: { user: 'v', password: '***' }, outputs: null, attempts: [] }),
    ]);
    expect(JSON.stringify(run.body)).not.toContain('1234');
    const logs = await call('GET', `/runs/${id}/steps/s1/logs`, { token });
    expect(logs.body).toMatchObject({ run_id: id, step: 's1', attempts: [{ attempt: 1, stdout: 'first try\n' }, { attempt: 2, stdout: 'hello\n', stderr: 'warn\n' }] });
    expect((await call('GET', `/runs/${id}/steps/nope/logs`, { token })).body.code).toBe('step_not_found');
    expect(await call('GET', `/runs/${id}/steps/s1/outputs/n`, { token })).toMatchObject({ status: 200, body: 2 });
    expect((await call('GET', `/runs/${id}/steps/s2/outputs/n`, { token })).body.code).toBe('output_not_found');
    expect(await call('GET', `/runs/${id}/result`, { token })).toMatchObject({ status: 202, body: { run_id: id, status: 'running' } });

    const done = await aRun(projectId, workflowId);
    fake.ended({ runId: done, status: 'succeeded', results: { n: 2 }, error: null });
    expect(await call('GET', `/runs/${done}/result`, { token })).toMatchObject({ status: 200, body: { n: 2 } });
    const failed = await aRun(projectId, workflowId, { status: 'failed' });
    fake.ended({ runId: failed, status: 'failed', results: null, error: { code: 'http_409', message: 'taken', httpStatus: 409 } });
    expect(await call('GET', `/runs/${failed}/result`, { token })).toMatchObject({ status: 409, body: { code: 'http_409', detail: 'taken', run_id: failed } });
    expect((await call('GET', '/runs/not-a-uuid', { token })).status).toBe(404);
  });

  it('cancels a running run (operator) and deletes a finished one with its rows (developer), not a running one', async () => {
    const { projectId, workflowId } = await deployed();
    const operator = await runner.jwks.sign({ projectId, role: 'operator' });
    const developer = await runner.jwks.sign({ projectId, role: 'developer' });
    const running = await aRun(projectId, workflowId, { status: 'running' });
    expect((await call('POST', `/runs/${running}/cancel`, { token: await runner.jwks.sign({ projectId, role: 'viewer' }) })).status).toBe(403);
    expect(await call('POST', `/runs/${running}/cancel`, { token: operator })).toMatchObject({ status: 202, body: { run_id: running, status: 'canceling' } });
    expect(fake.canceled).toContain(running);
    const finished = await aRun(projectId, workflowId);
    expect((await call('POST', `/runs/${finished}/cancel`, { token: operator })).body.code).toBe('run_finished');
    expect((await call('DELETE', `/runs/${finished}`, { token: operator })).status).toBe(403);
    expect((await call('DELETE', `/runs/${running}`, { token: developer })).body.code).toBe('run_not_finished');
    expect((await call('DELETE', `/runs/${finished}`, { token: await runner.jwks.sign({ projectId: await knownProject(), role: 'owner' }) })).status).toBe(404);
    expect((await call('DELETE', `/runs/${finished}`, { token: developer })).status).toBe(204);
    expect((await call('GET', `/runs/${finished}`, { token: developer })).status).toBe(404);
    const left = await runner.database.db.selectFrom('step_attempts').select('run_id').where('run_id', '=', finished).execute();
    expect(left).toEqual([]);
  });

  it('starts a run by hand (operator) with the inputs the trigger declares; refuses bad inputs, viewers, and other projects\' workflows', async () => {
    const { projectId, workflowId } = await deployed();
    const operator = await runner.jwks.sign({ projectId, role: 'operator' });
    const path = `/workflows/${workflowId}/runs`;
    const started = await call('POST', path, { token: operator, body: { inputs: { pin: '1234', n: 2 } }, headers: { 'idempotency-key': 'by-hand-1' } });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ run_id: expect.any(String), status_url: `/runner/runs/${started.body.run_id}`, result_url: `/runner/runs/${started.body.run_id}/result` });
    expect(fake.started.at(-1)).toMatchObject({ projectId, workflowId, triggerType: 'manual', triggerOutputs: { pin: '1234', n: 2 }, idempotencyKey: 'by-hand-1' });
    const again = await call('POST', path, { token: operator, body: { inputs: { pin: '1234', n: 2 } }, headers: { 'idempotency-key': 'by-hand-1' } });
    expect(again.body.run_id).toBe(started.body.run_id);
    const bad = await call('POST', path, { token: operator, body: { inputs: { n: 'two', extra: 1 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string; code: string }) => [e.path, e.code])).toEqual([['body.extra', 'unknown_input'], ['body.pin', 'required_input_missing'], ['body.n', 'type_mismatch']]);
    expect((await call('POST', path, { token: await runner.jwks.sign({ projectId, role: 'viewer' }), body: {} })).status).toBe(403);
    expect((await call('POST', path, { token: await runner.jwks.sign({ projectId: await knownProject(), role: 'owner' }), body: {} })).status).toBe(404);
    expect((await call('POST', `/workflows/${randomUUID()}/runs`, { token: operator, body: {} })).status).toBe(404);
    expect((await call('POST', `/workflows/not-a-uuid/runs`, { token: operator, body: {} })).status).toBe(404);
  });
});
