import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { removeObjectsUnder } from '@trellis/platform/object-store';
import { makeCall } from '@trellis/platform/testing/http-call';
import { objectNames, putObjects } from '@trellis/platform/testing/service-harness';
import { makeRetentionStore } from '../src/infrastructure/postgres/retention.js';
import { deleteExpiredRuns } from '../src/infrastructure/retention-job.js';
import { aDeployRequested, useDeploymentRunner } from './deployment-support.js';
import { makeFakeEngine } from './fake-engine.js';

// A short default age: one day (a fraction of a day would do as well).
const { runner, answersTo, knownProject, deployRequested } = useDeploymentRunner({ engine: makeFakeEngine().engine, env: { TRELLIS_RUNNER_RETENTION_DAYS: '1' } });
const call = makeCall(() => runner.base);
const DAY = 86_400_000;

async function aProject() {
  const projectId = await knownProject();
  const request = aDeployRequested(projectId, { path: `r-${randomUUID().slice(0, 8)}` });
  await deployRequested(request);
  await answersTo(request.deploymentId);
  return { projectId, workflowId: request.workflowId };
}

/** A run of the project that finished `ageDays` ago (or still runs), with a step, an attempt and an object. */
async function aRun(project: { projectId: string; workflowId: string }, ageDays: number, status: 'succeeded' | 'running' = 'succeeded') {
  const id = randomUUID();
  const at = new Date(Date.now() - ageDays * DAY);
  const db = runner.database.db;
  await db.insertInto('runs').values({
    id, project_id: project.projectId, workflow_id: project.workflowId, version: 1, status, trigger_type: 'http', trigger_outputs: '{}', results: null, error: null,
    owner: null, owner_epoch: '0', idempotency_key: null, created_at: at, started_at: at, finished_at: status === 'running' ? null : at,
  }).execute();
  await db.insertInto('step_runs').values({ run_id: id, step_id: 's0', status, attempt: 1, inputs: '{}', outputs: null, error: null, started_at: at, finished_at: null }).execute();
  await db.insertInto('step_attempts').values({ run_id: id, step_id: 's0', attempt: 1, status, error: null, stdout: 'x', stderr: '', logs_truncated: false, started_at: at, finished_at: null }).execute();
  await putObjects(runner.store, [`runner/projects/${project.projectId}/runs/${id}/value.json`]);
  return id;
}

const retention = () => ({
  store: makeRetentionStore(runner.database.db), clock: () => new Date(),
  removeRunObjects: async (projectId: string, runId: string) => { await removeObjectsUnder(runner.store.store, `runner/projects/${projectId}/runs/${runId}/`); },
});

describe('retention', () => {
  it('deletes the finished runs past their project\'s retention with their rows and objects, in batches; keeps the rest', async () => {
    const usual = await aProject();
    const forever = await aProject();
    const longer = await aProject();
    await retention().store.setRetention(forever.projectId, 0, new Date());
    await retention().store.setRetention(longer.projectId, 3, new Date());
    const expired = [await aRun(usual, 2), await aRun(usual, 5), await aRun(longer, 4)];
    const kept = [await aRun(usual, 0.5), await aRun(usual, 2, 'running'), await aRun(forever, 400), await aRun(longer, 2)];

    expect(await deleteExpiredRuns(retention(), { defaultDays: 1, batch: 2 })).toEqual({ deleted: 2, more: true });
    expect(await deleteExpiredRuns(retention(), { defaultDays: 1, batch: 2 })).toEqual({ deleted: 1, more: false });
    expect(await deleteExpiredRuns(retention(), { defaultDays: 1, batch: 2 })).toEqual({ deleted: 0, more: false });

    const db = runner.database.db;
    const runs = (await db.selectFrom('runs').select('id').where('id', 'in', [...expired, ...kept]).execute()).map((row) => row.id);
    expect(runs.sort()).toEqual([...kept].sort());
    expect(await db.selectFrom('step_attempts').select('run_id').where('run_id', 'in', expired).execute()).toEqual([]);
    expect(await db.selectFrom('step_runs').select('run_id').where('run_id', 'in', expired).execute()).toEqual([]);
    const names = await objectNames(runner.store);
    for (const id of expired) expect(names.some((name) => name.includes(id))).toBe(false);
    for (const id of kept) expect(names.some((name) => name.includes(id))).toBe(true);

    // A default of 0 keeps every run of a project without its own retention.
    await aRun(usual, 50);
    expect((await deleteExpiredRuns(retention(), { defaultDays: 0 })).deleted).toBe(0);
  });

  it('lets a project\'s owner read and set its own retention (null: the default), and no one else', async () => {
    const { projectId } = await aProject();
    const owner = await runner.jwks.sign({ projectId, role: 'owner' });
    expect(await call('GET', '/settings', { token: owner })).toMatchObject({ status: 200, body: { retention_days: null, default_retention_days: 1, effective_retention_days: 1 } });
    expect(await call('PUT', '/settings', { token: owner, body: { retention_days: 7 } })).toMatchObject({ status: 200, body: { retention_days: 7, effective_retention_days: 7 } });
    expect((await call('GET', '/settings', { token: owner })).body).toMatchObject({ retention_days: 7 });
    expect(await retention().store.retentionOf(projectId)).toBe(7);
    expect((await call('PUT', '/settings', { token: owner, body: { retention_days: -1 } })).status).toBe(400);
    expect((await call('PUT', '/settings', { token: await runner.jwks.sign({ projectId, role: 'developer' }), body: { retention_days: 0 } })).status).toBe(403);
    expect((await call('GET', '/settings', { token: await runner.jwks.sign({ projectId, role: 'developer' }) })).status).toBe(403);
    expect(await call('PUT', '/settings', { token: owner, body: { retention_days: null } })).toMatchObject({ status: 200, body: { retention_days: null, effective_retention_days: 1 } });
    // Another project's setting is its own.
    expect(await retention().store.retentionOf((await aProject()).projectId)).toBeNull();
  });
});
