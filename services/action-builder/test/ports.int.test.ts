// The build queue's ports, one suite run on the in-memory fakes and on Postgres, so the fakes the
// application tests use cannot drift from the adapters.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import { makeFakes } from '../src/application/fakes.js';
import type { Leases, UnitOfWork } from '../src/application/ports.js';
import * as Build from '../src/domain/build.js';
import { makeLeases } from '../src/infrastructure/postgres/build-repository.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { makeUnitOfWork } from '../src/infrastructure/postgres/unit-of-work.js';

type Ports = { uow: UnitOfWork; leases: Leases; projects: { known: string; other: string; deleted: string } };

let database: TestDatabase<Database>;
beforeAll(async () => {
  database = await createTestDatabase<Database>({ service: 'action-builder', migrations });
});
afterAll(async () => {
  await database?.close();
});

const suites: Array<[string, () => Promise<Ports>]> = [
  ['fakes', async () => {
    const fakes = makeFakes();
    const projects = { known: randomUUID(), other: randomUUID(), deleted: randomUUID() };
    fakes.knowProject(projects.known);
    fakes.knowProject(projects.other);
    fakes.knowProject(projects.deleted, 'deleted');
    return { uow: fakes.uow, leases: fakes.leases, projects };
  }],
  ['postgres', async () => {
    const projects = { known: randomUUID(), other: randomUUID(), deleted: randomUUID() };
    const db = database.db;
    // Each suite run starts from an empty queue.
    await db.deleteFrom('builds').execute();
    await db.insertInto('projects').values([projects.known, projects.other].map((id) => ({ id, name: id, created_at: new Date() }))).execute();
    await db.insertInto('deleted_projects').values({ id: projects.deleted, deleted_at: new Date() }).execute();
    return { uow: makeUnitOfWork(db), leases: makeLeases(db), projects };
  }],
];

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 1, 10, 0, seconds));

function aBuild(projectId: string, requestedAt: Date, overrides: Partial<Build.BuildRequest> = {}): Build.Build {
  return Build.request({
    id: randomUUID(), projectId, sourceId: randomUUID(), sourceName: 'tools', commit: 'c'.repeat(40), folder: 'a', actionId: 'echo', version: '1.0.0',
    sourceObject: `repository/projects/${projectId}/sources/x.tar.gz`, sourceSha256: 'a'.repeat(64), requestedBy: 'ada', imageSites: ['docker'],
    traceId: 'trace', requestedAt, ...overrides,
  });
}

describe.each(suites)('the build queue on %s', (_name, setUp) => {
  let ports: Ports;
  beforeEach(async () => {
    ports = await setUp();
  });

  it('inserts a build once, and tells a known, a deleted and an unknown project apart', async () => {
    const build = aBuild(ports.projects.known, at(0));
    expect(await ports.uow((tx) => tx.builds.insertIfAbsent(build))).toBe(true);
    expect(await ports.uow((tx) => tx.builds.insertIfAbsent({ ...build, actionId: 'other' }))).toBe(false);
    expect(await ports.uow((tx) => tx.builds.lock(build.id))).toEqual(build);
    expect(await ports.uow(async (tx) => [
      await tx.projects.status(ports.projects.known), await tx.projects.status(ports.projects.deleted), await tx.projects.status(randomUUID()),
    ])).toEqual(['known', 'deleted', 'unknown']);
  });

  it('finds a build only in its own project', async () => {
    const build = aBuild(ports.projects.other, at(1));
    await ports.uow((tx) => tx.builds.insertIfAbsent(build));
    expect(await ports.uow((tx) => tx.builds.lockInProject(ports.projects.known, build.id))).toBeUndefined();
    expect(await ports.uow((tx) => tx.builds.lockInProject(ports.projects.other, build.id))).toEqual(build);
  });

  it('claims claimable builds oldest first, as Build.claim does, and not twice', async () => {
    await ports.uow(async (tx) => {
      await tx.builds.insertIfAbsent(aBuild(ports.projects.other, at(1)));
      await tx.builds.insertIfAbsent(aBuild(ports.projects.known, at(0)));
    });
    const claimed = await ports.uow((tx) => tx.builds.claim({ owner: 'a3d6c1d2-0000-4000-8000-000000000001', now: at(10), leaseMs: 5000, limit: 1 }));
    expect(claimed).toHaveLength(1);
    const [first] = claimed;
    expect(first).toMatchObject({ state: 'running', attempt: 1, startedAt: at(10), lease: { owner: 'a3d6c1d2-0000-4000-8000-000000000001', expiresAt: at(15) }, requestedAt: at(0) });
    const both = await Promise.all([1, 2].map(() => ports.uow((tx) => tx.builds.claim({ owner: 'a3d6c1d2-0000-4000-8000-000000000002', now: at(11), leaseMs: 5000, limit: 5 }))));
    expect(both.flat().map((build) => build.requestedAt)).toEqual([at(1)]);
    expect(await ports.uow((tx) => tx.builds.claim({ owner: 'a3d6c1d2-0000-4000-8000-000000000002', now: at(14), leaseMs: 5000, limit: 5 }))).toEqual([]);
    // Its holder stopped renewing: the next claim is the next attempt.
    const again = await ports.uow((tx) => tx.builds.claim({ owner: 'a3d6c1d2-0000-4000-8000-000000000003', now: at(15), leaseMs: 5000, limit: 1 }));
    expect(again).toEqual([Build.claim(first!, { owner: 'a3d6c1d2-0000-4000-8000-000000000003', now: at(15), leaseMs: 5000 })]);
  });

  it('saves every field of a build as it is', async () => {
    const base = aBuild(ports.projects.known, at(20));
    await ports.uow((tx) => tx.builds.insertIfAbsent(base));
    const done: Build.Build = {
      ...base, state: 'succeeded', attempt: 2, lease: null, cancelRequestedBy: 'bob', startedAt: at(21), finishedAt: at(22), failureReason: null,
      artifact: { digest: 'd'.repeat(64), object: 'action-builder/projects/x/artifacts/d.tar.gz', size: 12_345_678_901 }, logObject: 'log',
    };
    await ports.uow((tx) => tx.builds.save(done));
    expect(await ports.uow((tx) => tx.builds.lock(base.id))).toEqual(done);
    expect(await ports.uow((tx) => tx.builds.claim({ owner: 'a3d6c1d2-0000-4000-8000-000000000004', now: at(60), leaseMs: 5000, limit: 5 }))).toEqual([]);
    await ports.uow((tx) => tx.builds.save({ ...done, state: 'failed', artifact: null, failureReason: 'npm ci failed', cancelRequestedBy: null }));
    expect(await ports.uow((tx) => tx.builds.lock(base.id))).toMatchObject({ state: 'failed', artifact: null, failureReason: 'npm ci failed', cancelRequestedBy: null });
  });

  it('renews only the listed running builds of their holder, with their cancellation', async () => {
    const owner = 'a3d6c1d2-0000-4000-8000-000000000005';
    const mine = aBuild(ports.projects.known, at(30));
    const theirs = aBuild(ports.projects.known, at(31));
    await ports.uow(async (tx) => {
      await tx.builds.insertIfAbsent(mine);
      await tx.builds.insertIfAbsent(theirs);
    });
    const [claimedMine] = await ports.uow((tx) => tx.builds.claim({ owner, now: at(100), leaseMs: 5000, limit: 1 }));
    await ports.uow((tx) => tx.builds.claim({ owner: 'a3d6c1d2-0000-4000-8000-000000000006', now: at(100), leaseMs: 5000, limit: 1 }));
    await ports.uow((tx) => tx.builds.save({ ...claimedMine!, cancelRequestedBy: 'ada' }));
    expect(await ports.leases.renew(owner, [mine.id, theirs.id, randomUUID()], at(103), 5000)).toEqual([{ id: mine.id, attempt: 1, cancelRequested: true }]);
    expect(await ports.leases.renew(owner, [], at(103), 5000)).toEqual([]);
    expect((await ports.uow((tx) => tx.builds.lock(mine.id)))?.lease).toEqual({ owner, expiresAt: at(108) });
  });
});
