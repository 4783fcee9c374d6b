// The ports of the repository's use cases, one suite run on the in-memory fakes and on Postgres:
// the fakes the application tests use cannot drift from the adapters.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import { anAction, makeFakes } from '../src/application/fakes.js';
import type { UnitOfWork } from '../src/application/ports.js';
import type { Build } from '../src/domain/build.js';
import * as Scan from '../src/domain/scan.js';
import type { ScannedAction } from '../src/domain/scan-result.js';
import type { Source } from '../src/domain/source.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import { makeScanJobs } from '../src/infrastructure/postgres/scan-jobs.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { makeUnitOfWork } from '../src/infrastructure/postgres/unit-of-work.js';

/** `claim` answers the lease the claim holds: what fences the scan's end. */
type World = { uow: UnitOfWork; projects: [string, string]; claim: (scanId: string) => Promise<string> };

let database: TestDatabase<Database>;
beforeAll(async () => {
  database = await createTestDatabase<Database>({ service: 'repository', migrations });
});
afterAll(() => database?.close());

const worlds: Array<[string, () => Promise<World>]> = [
  ['the fakes', async () => {
    const projects: [string, string] = [randomUUID(), randomUUID()];
    const fakes = makeFakes({ projects });
    return { uow: fakes.uow, projects, claim: async (scanId) => { fakes.claim(scanId, 'w1'); return 'w1'; } };
  }],
  ['Postgres', async () => {
    const projects: [string, string] = [randomUUID(), randomUUID()];
    await database.db.insertInto('projects').values(projects.map((id) => ({ id, name: `p-${id}`, created_at: new Date() }))).execute();
    const jobs = makeScanJobs(database.db, 60_000);
    return {
      uow: makeUnitOfWork(database.db), projects,
      claim: async (scanId) => {
        // Claims the oldest claimable scan (the suite queues one at a time), under the lease the suite names.
        const claimed = await jobs.claim('suite');
        if (claimed?.scan.id !== scanId) throw new Error(`claimed ${claimed?.scan.id} instead of ${scanId}`);
        return claimed.lease;
      },
    };
  }],
];

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

function aSource(projectId: string, extra: Partial<Source> = {}): Source {
  return {
    id: randomUUID(), projectId, name: `s-${randomUUID().slice(0, 8)}`, url: 'https://git.example.com/a.git', branch: null, username: null,
    hasCredentials: false, managed: false, createdBy: 'u1', createdAt: at(0), updatedAt: at(0), ...extra,
  };
}

function scanned(id: string, sha256: string): ScannedAction {
  return { folder: id, action: anAction(id), sha256, size: 10, object: `o/${sha256}.tar.gz`, change: 'new' };
}

describe.each(worlds)('the repository ports on %s', (_, makeWorld) => {
  let world: World;
  beforeAll(async () => {
    world = await makeWorld();
  });

  it('sources: one name per project, reads scoped by project, credentials kept, replaced or removed', async () => {
    const [p1, p2] = world.projects;
    const source = aSource(p1, { username: 'ada', hasCredentials: true });
    expect(await world.uow((tx) => tx.sources.insertIfNameFree(source, 'sealed-1'))).toBe(true);
    expect(await world.uow((tx) => tx.sources.insertIfNameFree({ ...aSource(p1), name: source.name }, null))).toBe(false);
    expect(await world.uow((tx) => tx.sources.insertIfNameFree({ ...aSource(p2), name: source.name }, null))).toBe(true);
    expect(await world.uow((tx) => tx.sources.find(p2, source.id))).toBeUndefined();
    expect(await world.uow((tx) => tx.sources.find(p1, source.id))).toEqual(source);
    expect(await world.uow((tx) => tx.sources.findWithSecret(p1, source.id))).toEqual({ source, sealedPassword: 'sealed-1' });

    const renamed = { ...source, name: `${source.name}-x`, updatedAt: at(5) };
    expect(await world.uow((tx) => tx.sources.update(renamed, undefined))).toBe(true);
    expect((await world.uow((tx) => tx.sources.findWithSecret(p1, source.id)))?.sealedPassword).toBe('sealed-1');
    const other = aSource(p1);
    await world.uow((tx) => tx.sources.insertIfNameFree(other, null));
    expect(await world.uow((tx) => tx.sources.update({ ...other, name: renamed.name }, undefined))).toBe(false);
    const cleared = { ...renamed, username: null, hasCredentials: false };
    await world.uow((tx) => tx.sources.update(cleared, null));
    expect(await world.uow((tx) => tx.sources.findWithSecret(p1, source.id))).toEqual({ source: cleared, sealedPassword: null });
    await world.uow((tx) => tx.sources.delete(p1, source.id));
    expect(await world.uow((tx) => tx.sources.find(p1, source.id))).toBeUndefined();
  });

  it('scans: queued, claimed, finished only by the worker holding it, compared with the last done scan', async () => {
    const [p1, p2] = world.projects;
    const source = aSource(p1);
    await world.uow((tx) => tx.sources.insertIfNameFree(source, null));
    const first = Scan.request({ id: randomUUID(), projectId: p1, sourceId: source.id, requestedBy: 'u1', now: at(1) }, undefined).scan;
    await world.uow((tx) => tx.scans.insert(first));
    expect(await world.uow((tx) => tx.scans.findQueued(source.id))).toEqual(first);
    expect(await world.uow((tx) => tx.scans.findForUpdate(p2, first.id))).toBeUndefined();
    expect(await world.uow((tx) => tx.scans.previousActions(source.id, first.id))).toBeUndefined();

    const lease = await world.claim(first.id);
    const running = await world.uow((tx) => tx.scans.findForUpdate(p1, first.id));
    expect(running).toMatchObject({ status: 'running', attempt: 1 });
    const done = Scan.complete(running as Scan.Scan, { commit: 'c'.repeat(40), branch: 'main' }, at(2));
    const findings = { actions: [scanned('a', 'sha-a'), scanned('b', 'sha-b')], removed: [], problems: [{ folder: 'x', file: 'x/trellis.yaml', line: 2, column: 3, code: 'bad', message: 'bad' }] };
    expect(await world.uow((tx) => tx.scans.finish(done, 'another-worker', findings))).toBe(false);
    expect(await world.uow((tx) => tx.scans.finish(done, lease, findings))).toBe(true);
    expect(await world.uow((tx) => tx.scans.finish(done, lease, findings))).toBe(false);
    expect(await world.uow((tx) => tx.scans.findQueued(source.id))).toBeUndefined();
    expect(await world.uow((tx) => tx.scans.lastDone(source.id))).toEqual({ scanId: first.id, commit: 'c'.repeat(40), actions: findings.actions });

    const second = Scan.request({ id: randomUUID(), projectId: p1, sourceId: source.id, requestedBy: 'u1', now: at(3) }, undefined).scan;
    await world.uow((tx) => tx.scans.insert(second));
    expect(await world.uow((tx) => tx.scans.previousActions(source.id, second.id))).toEqual([
      { id: 'a', version: '1.0.0', folder: 'a', sha256: 'sha-a' }, { id: 'b', version: '1.0.0', folder: 'b', sha256: 'sha-b' },
    ]);
    const canceled = Scan.cancel(second, at(4));
    if (!canceled.ok) throw new Error('not canceled');
    await world.uow((tx) => tx.scans.update(canceled.value));
    expect(await world.uow((tx) => tx.scans.findForUpdate(p1, second.id))).toEqual(canceled.value);
    expect(await world.uow((tx) => tx.scans.finish(Scan.fail(canceled.value, { code: 'clone_failed' }, at(5)), lease, undefined))).toBe(false);
  });

  it('the managed source: found by project (one at most), its pending scans and the versions of its builds', async () => {
    const [p1, p2] = world.projects;
    expect(await world.uow((tx) => tx.sources.findManaged(p1))).toBeUndefined();
    const managed = aSource(p1, { name: 'standard', managed: true, createdBy: 'trellis' });
    await world.uow((tx) => tx.sources.insertIfNameFree(managed, null));
    await world.uow((tx) => tx.sources.insertIfNameFree(aSource(p1), null));
    expect(await world.uow((tx) => tx.sources.findManaged(p1))).toEqual(managed);
    expect(await world.uow((tx) => tx.sources.find(p1, managed.id))).toEqual(managed);
    expect(await world.uow((tx) => tx.sources.findManaged(p2))).toBeUndefined();

    expect(await world.uow((tx) => tx.scans.hasPending(managed.id))).toBe(false);
    const scan = Scan.request({ id: randomUUID(), projectId: p1, sourceId: managed.id, requestedBy: 'trellis', now: at(1) }, undefined).scan;
    await world.uow((tx) => tx.scans.insert(scan));
    expect(await world.uow((tx) => tx.scans.hasPending(managed.id))).toBe(true);
    const lease = await world.claim(scan.id);
    expect(await world.uow((tx) => tx.scans.hasPending(managed.id))).toBe(true);
    const running = await world.uow((tx) => tx.scans.findForUpdate(p1, scan.id));
    await world.uow((tx) => tx.scans.finish(Scan.complete(running as Scan.Scan, { commit: 'c'.repeat(40), branch: 'main' }, at(2)), lease, { actions: [], removed: [], problems: [] }));
    expect(await world.uow((tx) => tx.scans.hasPending(managed.id))).toBe(false);

    expect(await world.uow((tx) => tx.builds.ofSource(managed.id))).toEqual([]);
    const build: Build = {
      id: randomUUID(), projectId: p1, sourceId: managed.id, scanId: scan.id, actionId: 'hash', version: '1.2.0', folder: 'hash', commit: 'c'.repeat(40),
      sourceObject: 'o/sha.tar.gz', sourceSha256: 'sha', status: 'running', attempt: 1, digest: null, artifactObject: null, reason: null, logTail: null,
      requestedBy: 'trellis', requestedAt: at(3), updatedAt: at(3),
    };
    await world.uow((tx) => tx.builds.insert([build]));
    expect(await world.uow((tx) => tx.builds.ofSource(managed.id))).toEqual([{ actionId: 'hash', version: '1.2.0', status: 'running' }]);
  });

  it('builds: inserted, found by id, updated', async () => {
    const [p1] = world.projects;
    const source = aSource(p1);
    await world.uow((tx) => tx.sources.insertIfNameFree(source, null));
    const scan = Scan.request({ id: randomUUID(), projectId: p1, sourceId: source.id, requestedBy: 'u1', now: at(1) }, undefined).scan;
    await world.uow((tx) => tx.scans.insert(scan));
    const build: Build = {
      id: randomUUID(), projectId: p1, sourceId: source.id, scanId: scan.id, actionId: 'a', version: '1.0.0', folder: 'a', commit: 'c'.repeat(40),
      sourceObject: 'o/sha.tar.gz', sourceSha256: 'sha', status: 'queued', attempt: 0, digest: null, artifactObject: null, reason: null, logTail: null,
      requestedBy: 'u1', requestedAt: at(1), updatedAt: at(1),
    };
    await world.uow((tx) => tx.builds.insert([build]));
    expect(await world.uow((tx) => tx.builds.findForUpdate(build.id))).toEqual(build);
    const built = { ...build, status: 'built' as const, attempt: 1, digest: 'd'.repeat(64), artifactObject: 'a/d.tar.gz', updatedAt: at(9) };
    await world.uow((tx) => tx.builds.update(built));
    expect(await world.uow((tx) => tx.builds.findForUpdate(build.id))).toEqual(built);
    expect(await world.uow((tx) => tx.builds.findForUpdate(randomUUID()))).toBeUndefined();
  });

  it('projects: known or not, locked when known, listed', async () => {
    expect(await world.uow((tx) => tx.projects.isKnown(world.projects[0]))).toBe(true);
    expect(await world.uow((tx) => tx.projects.isKnown(randomUUID()))).toBe(false);
    expect(await world.uow((tx) => tx.projects.lockIfKnown(world.projects[1]))).toBe(true);
    expect(await world.uow((tx) => tx.projects.lockIfKnown(randomUUID()))).toBe(false);
    expect(await world.uow((tx) => tx.projects.ids())).toEqual(expect.arrayContaining([...world.projects]));
  });

});

describe('the scan queue (Postgres)', () => {
  let own: TestDatabase<Database>;
  beforeAll(async () => {
    own = await createTestDatabase<Database>({ service: 'repository', migrations });
  });
  afterAll(() => own?.close());

  it('gives each attempt a lease of its own: an attempt taken over, even by the same worker, can neither renew nor write', async () => {
    const database = own;
    const projectId = randomUUID();
    await database.db.insertInto('projects').values({ id: projectId, name: `p-${projectId}`, created_at: new Date() }).execute();
    const uow = makeUnitOfWork(database.db);
    const jobs = makeScanJobs(database.db, 60_000);
    const source = aSource(projectId);
    await uow((tx) => tx.sources.insertIfNameFree(source, null));
    const scan = Scan.request({ id: randomUUID(), projectId, sourceId: source.id, requestedBy: 'u1', now: at(1) }, undefined).scan;
    await uow((tx) => tx.scans.insert(scan));

    const first = await jobs.claim('worker');
    expect(first).toMatchObject({ scan: { id: scan.id, status: 'running', attempt: 1 }, lease: 'worker#1' });
    expect(await jobs.claim('worker')).toBeUndefined();
    expect(await jobs.renew(scan.id, 'worker#1')).toBe(true);

    await database.db.updateTable('scans').set({ lease_expires_at: new Date(Date.now() - 1000) }).where('id', '=', scan.id).execute();
    const second = await jobs.claim('worker');
    expect(second).toMatchObject({ scan: { id: scan.id, attempt: 2 }, lease: 'worker#2' });
    expect(await jobs.renew(scan.id, 'worker#1')).toBe(false);
    const done = Scan.complete(second?.scan as Scan.Scan, { commit: 'c'.repeat(40), branch: 'main' }, at(2));
    expect(await uow((tx) => tx.scans.finish(done, 'worker#1', undefined))).toBe(false);

    await jobs.release(scan.id, 'worker#2');
    const third = await jobs.claim('other');
    expect(third).toMatchObject({ scan: { attempt: 2 }, lease: 'other#2' });
    expect(await uow((tx) => tx.scans.finish(done, 'other#2', { actions: [], removed: [], problems: [] }))).toBe(true);
  });
});
