import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@trellis/platform/testing/eventually';
import { handled, objectNames, publishAs, putObjects } from '@trellis/platform/testing/service-harness';
import * as authorization from '../src/infrastructure/pb/authorization/v1/events.js';
import { makeTestRepository, type TestRepository } from './git-fixtures.js';
import { QUEUE, scanOnce, useRepository } from './support.js';

const service = useRepository();
let repo: TestRepository;

beforeAll(async () => {
  repo = await makeTestRepository();
  await repo.copyExample('echo', 'echo');
  await repo.copyExample('uppercase', 'uppercase');
  await repo.commit({});
});
afterAll(() => repo?.close());

async function scannedAndBuilt(project: Awaited<ReturnType<typeof service.project>>, name: string) {
  const token = await project.token('developer');
  const sourceId = (await service.call('POST', '/sources', { token, body: { name, url: repo.fileUrl } })).body.id as string;
  await scanOnce(service, token, sourceId);
  expect((await service.call('POST', `/sources/${sourceId}/build`, { token })).status).toBe(202);
  return { token, sourceId };
}

const rowsOf = async (table: 'sources' | 'scans' | 'builds', projectId: string) =>
  (await service.database.db.selectFrom(table).select('id').where('project_id', '=', projectId).execute()).length;

describe('deleting a source', () => {
  it('removes its scans, builds and tarballs, and nothing of another source', async () => {
    const project = await service.project();
    const doomed = await scannedAndBuilt(project, 'doomed');
    const kept = await scannedAndBuilt(project, 'kept');
    const prefix = (sourceId: string) => `repository/projects/${project.id}/sources/${sourceId}/`;
    expect((await objectNames(service.store)).filter((n) => n.startsWith(prefix(doomed.sourceId)))).toHaveLength(2);

    expect((await service.call('DELETE', `/sources/${doomed.sourceId}`, { token: doomed.token })).status).toBe(204);
    expect((await service.call('GET', `/sources/${doomed.sourceId}`, { token: doomed.token })).status).toBe(404);
    expect((await service.call('DELETE', `/sources/${doomed.sourceId}`, { token: doomed.token })).status).toBe(404);
    const names = await objectNames(service.store);
    expect(names.filter((n) => n.startsWith(prefix(doomed.sourceId)))).toEqual([]);
    expect(names.filter((n) => n.startsWith(prefix(kept.sourceId)))).toHaveLength(2);
    const left = await service.database.db.selectFrom('scans').select('source_id').where('project_id', '=', project.id).execute();
    expect(new Set(left.map((row) => row.source_id))).toEqual(new Set([kept.sourceId]));
    expect(await service.database.db.selectFrom('builds').select('id').where('source_id', '=', doomed.sourceId).execute()).toEqual([]);
  });
});

describe('deleting a project (ProjectDeleted)', () => {
  it('removes its sources, scans, builds and objects, and nothing of another project', async () => {
    const doomed = await service.project();
    const other = await service.project();
    await scannedAndBuilt(doomed, 'actions');
    await scannedAndBuilt(other, 'actions');
    await putObjects(service.store, [`repository/projects/${doomed.id}/stray.txt`]);
    for (const table of ['sources', 'scans', 'builds'] as const) expect(await rowsOf(table, doomed.id)).toBeGreaterThan(0);

    const content = authorization.ProjectDeleted.encode(authorization.ProjectDeleted.fromPartial({
      meta: { eventId: randomUUID(), occurredAt: new Date(), projectId: doomed.id, traceId: 'test' }, projectId: doomed.id, deletedBy: randomUUID(),
    })).finish();
    await handled(service.database.db, QUEUE, await publishAs(service.vhost.url, 'authorization', 'trellis.authorization.v1.ProjectDeleted', content));

    for (const table of ['sources', 'scans', 'builds'] as const) {
      expect(await rowsOf(table, doomed.id)).toBe(0);
      expect(await rowsOf(table, other.id)).toBeGreaterThan(0);
    }
    const names = await eventually(() => objectNames(service.store), (list) => !list.some((n) => n.includes(doomed.id)));
    expect(names.some((n) => n.startsWith(`repository/projects/${other.id}/sources/`))).toBe(true);
  });
});
