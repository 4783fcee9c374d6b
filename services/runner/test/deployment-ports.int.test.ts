// The deployments port keeps the same rules on the fakes and on Postgres, so application tests on
// the fakes say something true.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import { aDeployRequest, aDocument, aPinnedAction, makeFakes } from '../src/application/fakes.js';
import type { Transaction } from '../src/application/ports.js';
import type { Deployment, DeployedVersion } from '../src/domain/deployment.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { makeUnitOfWork } from '../src/infrastructure/postgres/unit-of-work.js';

let database: TestDatabase<Database>;
const p1 = randomUUID();
const p2 = randomUUID();
beforeAll(async () => {
  database = await createTestDatabase<Database>({ service: 'runner', migrations });
  await database.db.insertInto('projects').values([p1, p2].map((id) => ({ id, name: id, created_at: new Date() }))).execute();
});
afterAll(() => database?.close());

const at = new Date('2026-12-01T10:00:00Z');

const aVersion = (workflowId: string, version: number, actionIds: string[], projectId = p1, site: DeployedVersion['site'] = 'local'): DeployedVersion => {
  const actions = actionIds.map((actionId) => aPinnedAction({ actionId, ...(site === 'local' ? {} : { image: `trellis-action/${actionId}@sha256:${'1'.repeat(64)}` }) }));
  const request = aDeployRequest({ projectId, workflowId, version, actions, documentJson: `${aDocument('x', actions)} ` });
  return { workflowId, version, projectId, name: request.workflowName, checksum: request.checksum, documentJson: request.documentJson, actions, files: [], site, receivedAt: at };
};

const aDeployment = (workflowId: string, overrides: Partial<Deployment> = {}): Deployment => ({
  workflowId, projectId: p1, name: 'add-ten', version: 1, deploymentId: randomUUID(), status: 'active', mode: null, reason: '',
  servingVersion: 1, triggerType: 'http', httpPath: `path-${workflowId.slice(0, 8)}`, traceId: 't', updatedAt: at, ...overrides,
});

const writers: Array<[string, (work: (tx: Transaction) => Promise<void>) => Promise<void>]> = [
  ['the fakes', async (work) => {
    const fakes = makeFakes({ projects: { [p1]: 'known', [p2]: 'known' } });
    await work(fakes.bind(fakes.state()));
  }],
  ['Postgres', async (work) => {
    await makeUnitOfWork(database.db)(async (tx) => {
      await work(tx);
      return { ok: false, error: 'roll back what the test wrote' } as const;
    });
  }],
];

describe.each(writers)('the deployments port on %s', (_name, withTx) => {
  it('keeps a version as first received (the document text exactly, its site and images) and a deployment as saved', async () => {
    await withTx(async (tx) => {
      const w = randomUUID();
      const first = aVersion(w, 1, ['add-one']);
      await tx.deployments.recordVersion(first);
      await tx.deployments.recordVersion({ ...first, checksum: 'other', actions: [] });
      expect(await tx.deployments.findVersion(w, 1)).toEqual(first);
      expect(await tx.deployments.findVersion(w, 2)).toBeUndefined();
      const onDocker = aVersion(w, 3, ['add-one'], p1, 'docker');
      await tx.deployments.recordVersion(onDocker);
      expect(await tx.deployments.findVersion(w, 3)).toEqual(onDocker);
      expect(await tx.deployments.findForUpdate(w)).toBeUndefined();
      const deployment = aDeployment(w, { status: 'undeploying', mode: 'immediate', servingVersion: null, triggerType: null, httpPath: null });
      await tx.deployments.save(deployment);
      expect(await tx.deployments.findForUpdate(w)).toEqual(deployment);
      await tx.deployments.save({ ...deployment, status: 'undeployed' });
      expect((await tx.deployments.findForUpdate(w))?.status).toBe('undeployed');
    });
  });

  it('tells which other serving workflow of the project holds a path', async () => {
    await withTx(async (tx) => {
      const [serving, failed, elsewhere] = [randomUUID(), randomUUID(), randomUUID()];
      await tx.deployments.save(aDeployment(serving, { name: 'serving', httpPath: 'shared' }));
      await tx.deployments.save(aDeployment(failed, { status: 'failed', servingVersion: null, httpPath: null }));
      await tx.deployments.save(aDeployment(elsewhere, { projectId: p2, httpPath: 'other' }));
      expect(await tx.deployments.servingPath(p1, 'shared', randomUUID())).toEqual({ workflowId: serving, name: 'serving' });
      expect(await tx.deployments.servingPath(p1, 'shared', serving)).toBeUndefined();
      expect(await tx.deployments.servingPath(p1, 'other', randomUUID())).toBeUndefined();
    });
  });

  it('lists the actions in use (serving versions, and versions being deployed) per project, and what is left deploying', async () => {
    await withTx(async (tx) => {
      const [a, b, c, d] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      for (const version of [aVersion(a, 1, ['one']), aVersion(a, 2, ['two']), aVersion(b, 1, ['three']), aVersion(c, 1, ['four']), aVersion(d, 1, ['five'], p2)]) {
        await tx.deployments.recordVersion(version);
      }
      const deploying = aDeployment(a, { version: 2, status: 'deploying' });
      await tx.deployments.save(deploying);
      await tx.deployments.save(aDeployment(b, { status: 'failed', servingVersion: null, httpPath: null }));
      await tx.deployments.save(aDeployment(c));
      await tx.deployments.save(aDeployment(d, { projectId: p2 }));
      expect([...(await tx.deployments.actionsInUse(p1))].sort()).toEqual(['four@1.0.0', 'one@1.0.0', 'two@1.0.0']);
      expect(await tx.deployments.deploying()).toEqual(expect.arrayContaining([{ workflowId: a, deploymentId: deploying.deploymentId }]));
      expect((await tx.deployments.deploying()).map((item) => item.workflowId)).not.toContain(c);
      const undeploying = aDeployment(c, { status: 'undeploying', mode: 'graceful', servingVersion: null, httpPath: null });
      await tx.deployments.save(undeploying);
      expect(await tx.deployments.undeploying()).toEqual(expect.arrayContaining([{ workflowId: c, deploymentId: undeploying.deploymentId }]));
      expect((await tx.deployments.undeploying()).map((item) => item.workflowId)).not.toContain(a);
    });
  });
});

describe('the deployment tables', () => {
  it('refuse a second serving workflow on one path of a project, and go with their project', async () => {
    const project = randomUUID();
    await database.db.insertInto('projects').values({ id: project, name: project, created_at: new Date() }).execute();
    const [w1, w2] = [randomUUID(), randomUUID()];
    await makeUnitOfWork(database.db)(async (tx) => {
      await tx.deployments.recordVersion(aVersion(w1, 1, ['a'], project));
      await tx.deployments.save(aDeployment(w1, { projectId: project, httpPath: 'same' }));
    });
    await expect(makeUnitOfWork(database.db)(async (tx) => tx.deployments.save(aDeployment(w2, { projectId: project, httpPath: 'same' })))).rejects.toThrow(/deployments_http_path_unique/);
    await database.db.deleteFrom('projects').where('id', '=', project).execute();
    expect(await database.db.selectFrom('deployments').select('workflow_id').where('project_id', '=', project).execute()).toEqual([]);
    expect(await database.db.selectFrom('deployed_versions').select('workflow_id').where('project_id', '=', project).execute()).toEqual([]);
  });
});
