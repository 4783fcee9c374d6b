// The workflow ports (and the library's queries they lean on) keep the same rules on the fakes
// and on Postgres, so the application tests on the fakes say something true.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@trellis/platform/testing/eventually';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import { aLibraryAction, makeFakes } from '../src/application/fakes.js';
import type { Transaction } from '../src/application/ports.js';
import * as Workflow from '../src/domain/workflow/workflow.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { makeUnitOfWork } from '../src/infrastructure/postgres/unit-of-work.js';

let database: TestDatabase<Database>;
const p1 = randomUUID();
const p2 = randomUUID();
beforeAll(async () => {
  database = await createTestDatabase<Database>({ service: 'studio', migrations });
  await database.db.insertInto('projects').values([p1, p2].map((id) => ({ id, name: id, created_at: new Date() }))).execute();
});
afterAll(() => database?.close());

const adapters: Array<[string, (work: (tx: Transaction) => Promise<void>) => Promise<void>]> = [
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

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 1, 10, 0, seconds));

/** Keys in an order no canonical form would give: what is stored must come back byte for byte. */
const document = (name: string, path = name) => ({ name, zeta: 1, trigger: { path, type: 'http' }, apiVersion: 'trellis.dev/v1', steps: [{ id: 'a', action: 'add-one@1.0.0' }] });

function aWorkflow(projectId: string, name: string, extra: Partial<Workflow.Workflow> = {}): Workflow.Workflow {
  return { ...Workflow.create({ id: randomUUID(), projectId, name, document: document(name), by: 'u1', now: at(0) }), ...extra };
}

describe.each(adapters)('the workflow ports on %s', (_name, withTx) => {
  it('keep one name per project, read within the project, keep a document\'s key order, update and delete', async () => {
    await withTx(async (tx) => {
      const workflow = aWorkflow(p1, 'add-ten');
      expect(await tx.workflows.insert(workflow)).toBe(true);
      expect(await tx.workflows.insert(aWorkflow(p1, 'add-ten'))).toBe(false);
      expect(await tx.workflows.insert(aWorkflow(p2, 'add-ten'))).toBe(true);
      const found = await tx.workflows.find(p1, workflow.id);
      expect(found).toEqual(workflow);
      expect(JSON.stringify(found?.document)).toBe(JSON.stringify(document('add-ten')));
      expect(await tx.workflows.find(p2, workflow.id)).toBeUndefined();
      expect(await tx.workflows.findForUpdate(p1, workflow.id)).toEqual(workflow);
      expect(await tx.workflows.findByNameForUpdate(p1, 'add-ten')).toEqual(workflow);
      expect(await tx.workflows.findByNameForUpdate(p1, 'nope')).toBeUndefined();

      const other = aWorkflow(p1, 'other');
      await tx.workflows.insert(other);
      expect(await tx.workflows.update({ ...other, name: 'add-ten' })).toBe(false);
      const deployment: Workflow.Deployment = { id: randomUUID(), status: 'failed', version: 2, servingVersion: 1, reason: 'no room', mode: 'immediate', requestedBy: 'op', updatedAt: at(9) };
      const changed = { ...workflow, name: 'renamed', document: document('renamed', 'x/y'), latestVersion: 2, deployment, updatedAt: at(5), updatedBy: 'u2' };
      expect(await tx.workflows.update(changed)).toBe(true);
      expect(await tx.workflows.find(p1, workflow.id)).toEqual(changed);
      expect(await tx.workflows.httpPaths(p1, undefined)).toEqual(new Map([['x/y', 'renamed'], ['other', 'other']]));
      expect(await tx.workflows.httpPaths(p1, workflow.id)).toEqual(new Map([['other', 'other']]));
      await tx.workflows.delete(p2, workflow.id);
      expect(await tx.workflows.find(p1, workflow.id)).toBeDefined();
      await tx.workflows.delete(p1, workflow.id);
      expect(await tx.workflows.find(p1, workflow.id)).toBeUndefined();
    });
  });

  it('keep frozen versions with what they use, and say who uses what with their deployment', async () => {
    await withTx(async (tx) => {
      const deployment: Workflow.Deployment = { id: randomUUID(), status: 'deployed', version: 1, servingVersion: 1, reason: null, mode: null, requestedBy: 'op', updatedAt: at(3) };
      const workflow = aWorkflow(p1, 'user', { latestVersion: 2, deployment });
      await tx.workflows.insert(workflow);
      const version = (n: number): Workflow.WorkflowVersion => ({
        projectId: p1, workflowId: workflow.id, version: n, document: document('user'), checksum: String(n).repeat(64),
        pins: [{ actionId: 'add-one', version: '1.0.0', digest: 'd'.repeat(64) }], createdAt: at(n), createdBy: 'op',
      });
      expect(await tx.workflowVersions.latest(p1, workflow.id)).toBeUndefined();
      const photo = randomUUID();
      await tx.workflowVersions.insert(version(1), { actions: [{ id: 'add-one', version: '1.0.0' }], variables: ['START'], secrets: ['TOKEN'], files: [photo] });
      await tx.workflowVersions.insert(version(2), { actions: [{ id: 'add-one', version: '1.0.0' }], variables: [], secrets: [], files: [] });
      expect(await tx.workflowVersions.find(p1, workflow.id, 1)).toEqual(version(1));
      expect(await tx.workflowVersions.find(p2, workflow.id, 1)).toBeUndefined();
      expect(await tx.workflowVersions.latest(p1, workflow.id)).toEqual(version(2));
      expect(await tx.workflowVersions.usersOf(p1, { kind: 'action', name: 'add-one@1.0.0' })).toEqual([
        { workflowName: 'user', version: 1, deployment }, { workflowName: 'user', version: 2, deployment },
      ]);
      expect(await tx.workflowVersions.usersOf(p1, { kind: 'variable', name: 'START' })).toEqual([{ workflowName: 'user', version: 1, deployment }]);
      expect(await tx.workflowVersions.usersOf(p1, { kind: 'secret', name: 'TOKEN' })).toHaveLength(1);
      expect(await tx.workflowVersions.usersOf(p1, { kind: 'variable', name: 'TOKEN' })).toEqual([]);
      expect(await tx.workflowVersions.usersOf(p1, { kind: 'file', name: photo })).toEqual([{ workflowName: 'user', version: 1, deployment }]);
      expect(await tx.workflowVersions.usersOf(p1, { kind: 'secret', name: photo })).toEqual([]);
      expect(await tx.workflowVersions.usersOf(p2, { kind: 'action', name: 'add-one@1.0.0' })).toEqual([]);
      await tx.workflows.delete(p1, workflow.id);
      expect(await tx.workflowVersions.usersOf(p1, { kind: 'action', name: 'add-one@1.0.0' })).toEqual([]);
    });
  });

  it('give the library\'s versions of some actions (newest build first) and lock given versions', async () => {
    await withTx(async (tx) => {
      const origin = () => ({ sourceId: randomUUID(), commit: 'c', folder: 'f', buildId: randomUUID() });
      const old = aLibraryAction({ projectId: p1, origin: origin(), builtAt: at(1) });
      const newer = aLibraryAction({ projectId: p1, version: '0.9.0', origin: origin(), builtAt: at(2) });
      const other = aLibraryAction({ projectId: p1, actionId: 'other', origin: origin() });
      for (const action of [old, newer, other, aLibraryAction({ projectId: p2, origin: origin() })]) await tx.library.save(action);
      expect(await tx.library.versionsOf(p1, ['add-one'])).toEqual([newer, old]);
      expect((await tx.library.versionsOf(p1, ['add-one', 'other', 'ghost'])).map((a) => `${a.actionId}@${a.version}`)).toEqual(['add-one@0.9.0', 'add-one@1.0.0', 'other@1.0.0']);
      expect(await tx.library.versionsOf(p1, [])).toEqual([]);
      const locked = await tx.library.findForShare(p1, [{ actionId: 'add-one', version: '1.0.0' }, { actionId: 'other', version: '1.0.0' }, { actionId: 'ghost', version: '1.0.0' }]);
      expect(locked.map((a) => `${a.actionId}@${a.version}`).sort()).toEqual(['add-one@1.0.0', 'other@1.0.0']);
      expect(await tx.library.findForShare(p2, [{ actionId: 'other', version: '1.0.0' }])).toEqual([]);
    });
  });
});

describe('a deploy\'s hold on the values it uses (Postgres)', () => {
  it('keeps a change of a name waiting until the deploy commits, and takes no revision', async () => {
    const uow = makeUnitOfWork(database.db);
    let release = () => {};
    const held = new Promise<void>((resolve) => { release = resolve; });
    let locked = false;
    const deploy = uow(async (tx) => {
      await tx.revisions.lock(p1, 'WIDTH');
      locked = true;
      await held;
    });
    await eventually(async () => locked, (done) => done);
    const before = await uow((tx) => tx.revisions.next(p1, 'OTHER'));
    const deletion = uow((tx) => tx.revisions.next(p1, 'WIDTH'));
    await eventually(
      async () => (await sql<{ waiting: number }>`select count(*)::int as waiting from pg_locks where locktype = 'advisory' and not granted`.execute(database.db)).rows[0]?.waiting,
      (waiting) => waiting === 1,
    );
    release();
    await deploy;
    expect(await deletion).toBe(before + 1);
  });
});

describe('workflows on Postgres', () => {
  it('go with their project: drafts, versions and what the versions use', async () => {
    const doomed = randomUUID();
    await database.db.insertInto('projects').values({ id: doomed, name: 'doomed', created_at: new Date() }).execute();
    const workflow = aWorkflow(doomed, 'doomed', { latestVersion: 1 });
    await makeUnitOfWork(database.db)(async (tx) => {
      await tx.workflows.insert(workflow);
      await tx.workflowVersions.insert({ projectId: doomed, workflowId: workflow.id, version: 1, document: document('doomed'), checksum: 'f'.repeat(64), pins: [], createdAt: at(1), createdBy: 'u' },
        { actions: [{ id: 'add-one', version: '1.0.0' }], variables: ['X'], secrets: [], files: [randomUUID()] });
    });
    const count = async () => Promise.all((['workflows', 'workflow_versions', 'workflow_version_uses'] as const).map(async (table) =>
      (await database.db.selectFrom(table).select('project_id').where('project_id', '=', doomed).execute()).length));
    expect(await count()).toEqual([1, 1, 3]);
    await database.db.deleteFrom('projects').where('id', '=', doomed).execute();
    expect(await count()).toEqual([0, 0, 0]);
  });
});
