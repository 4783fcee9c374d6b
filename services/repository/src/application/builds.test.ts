import { describe, expect, it } from 'vitest';
import { createSource } from './create-source.js';
import { anAction, fakeVault, makeFakeScanWorld, makeFakes } from './fakes.js';
import { recordBuildProgress } from './record-build-progress.js';
import { requestBuilds } from './request-builds.js';
import { requestScan } from './request-scan.js';
import { runScan } from './run-scan.js';

const now = new Date('2026-01-01T00:00:00Z');
let counter = 0;
const ids = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

async function scannedSource(actionIds: string[]) {
  const fakes = makeFakes({ projects: ['p1'] });
  const deps = { ...fakes, vault: fakeVault, clock: () => now, ids, settings: { allowFileUrls: true } };
  const created = await createSource(deps, { projectId: 'p1', name: 'actions', url: 'https://git.example.com/a.git', createdBy: 'u1' });
  if (!created.ok) throw new Error('not created');
  const sourceId = created.value.id;
  const requested = await requestScan(deps, { projectId: 'p1', sourceId, requestedBy: 'u1' });
  if (!requested.ok) throw new Error('not requested');
  const world = makeFakeScanWorld({ commit: 'f'.repeat(40), branch: 'main', problems: [], actions: actionIds.map((id) => ({ folder: id, action: anAction(id), content: id })) });
  await runScan({ ...deps, ...world }, { scan: fakes.claim(requested.value.scan.id, 'w'), owner: 'w' }, new AbortController().signal);
  return { fakes, deps, sourceId };
}

describe('requestBuilds', () => {
  it('makes a build and an ActionBuildRequested per action of the last scan, in one commit', async () => {
    const { fakes, deps, sourceId } = await scannedSource(['echo', 'upper']);
    const result = await requestBuilds(deps, { projectId: 'p1', sourceId, requestedBy: 'u1', traceId: 't1' });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(fakes.state().builds.map((b) => [b.actionId, b.status])).toEqual([['echo', 'queued'], ['upper', 'queued']]);
    expect(fakes.state().outbox.map((e) => [e.type, e.buildId, e.actionId, e.sourceName, e.commit, e.traceId])).toEqual(
      fakes.state().builds.map((b) => ['ActionBuildRequested', b.id, b.actionId, 'actions', 'f'.repeat(40), 't1']),
    );
  });

  it('names the unknown actions and writes nothing', async () => {
    const { fakes, deps, sourceId } = await scannedSource(['echo']);
    expect(await requestBuilds(deps, { projectId: 'p1', sourceId, actionIds: ['echo', 'nope'], requestedBy: 'u1', traceId: 't1' })).toEqual({ ok: false, error: { type: 'UnknownActions', ids: ['nope'] } });
    expect(fakes.state().builds).toEqual([]);
    expect(fakes.state().outbox).toEqual([]);
  });

  it('refuses a source never scanned, and another project\'s source', async () => {
    const fakes = makeFakes({ projects: ['p1'] });
    const deps = { ...fakes, vault: fakeVault, clock: () => now, ids, settings: { allowFileUrls: true } };
    const created = await createSource(deps, { projectId: 'p1', name: 'actions', url: 'https://git.example.com/a.git', createdBy: 'u1' });
    if (!created.ok) throw new Error('not created');
    expect(await requestBuilds(deps, { projectId: 'p1', sourceId: created.value.id, requestedBy: 'u1', traceId: 't1' })).toEqual({ ok: false, error: { type: 'NothingScanned' } });
    expect(await requestBuilds(deps, { projectId: 'p2', sourceId: created.value.id, requestedBy: 'u1', traceId: 't1' })).toEqual({ ok: false, error: { type: 'SourceNotFound' } });
  });
});

describe('recordBuildProgress', () => {
  it('follows a build to built, ignoring a late start and builds it does not know', async () => {
    const { fakes, deps, sourceId } = await scannedSource(['echo']);
    const requested = await requestBuilds(deps, { projectId: 'p1', sourceId, requestedBy: 'u1', traceId: 't1' });
    const buildId = requested.ok ? requested.value.builds[0]?.id ?? '' : '';
    const at = new Date('2026-01-01T00:05:00Z');
    expect(await recordBuildProgress(fakes, { buildId, projectId: 'p1', progress: { type: 'started', attempt: 1, at } })).toMatchObject({ ok: true, value: { changed: true } });
    expect(await recordBuildProgress(fakes, { buildId, projectId: 'p1', progress: { type: 'built', digest: 'd', artifactObject: 'a', at } })).toMatchObject({ ok: true, value: { changed: true } });
    expect(await recordBuildProgress(fakes, { buildId, projectId: 'p1', progress: { type: 'started', attempt: 2, at } })).toMatchObject({ ok: true, value: { changed: false } });
    expect(fakes.state().builds[0]).toMatchObject({ status: 'built', digest: 'd', attempt: 1 });
    expect(await recordBuildProgress(fakes, { buildId, projectId: 'p2', progress: { type: 'started', attempt: 1, at } })).toEqual({ ok: false, error: { type: 'UnknownBuild', buildId } });
    expect(await recordBuildProgress(fakes, { buildId: 'nope', projectId: 'p1', progress: { type: 'started', attempt: 1, at } })).toMatchObject({ ok: false });
  });
});
