import { describe, expect, it } from 'vitest';
import type { Build } from '../domain/build.js';
import type { Source } from '../domain/source.js';
import { deleteSource } from './delete-source.js';
import { anAction, makeFakes } from './fakes.js';
import type { ScanFindings } from './ports.js';
import { buildStandardLibrary, installStandardLibrary, installStandardLibraryEverywhere } from './standard-library.js';

const now = new Date('2026-01-01T00:00:00Z');
const url = 'file:///srv/trellis/.trellis/standard-library.git';
let counter = 0;
const ids = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

function world(projects = ['p1']) {
  const fakes = makeFakes({ projects });
  const deps = { uow: fakes.uow, clock: () => now, ids };
  /** What a worker does with the queued scan: claims it and finishes it done at `commit` with these actions. */
  const scanDone = (commit: string, actions: Array<[string, string]>) => {
    const row = fakes.state().scans.find((r) => r.scan.status === 'queued');
    if (!row) throw new Error('no queued scan');
    fakes.claim(row.scan.id, 'w1');
    const findings: ScanFindings = {
      actions: actions.map(([id, version]) => ({ folder: id, action: anAction(id, { version }), sha256: `${id}-${version}`, size: 1, object: `o/${id}`, change: 'new' })),
      removed: [], problems: [],
    };
    const claimed = fakes.state().scans.find((r) => r.scan.id === row.scan.id);
    if (!claimed) throw new Error('gone');
    Object.assign(claimed, { scan: { ...claimed.scan, status: 'done', commit, finishedAt: new Date(now.getTime() + counter) }, owner: null, findings });
    return claimed.scan;
  };
  const install = (head: string | undefined, projectId = 'p1') => installStandardLibrary(deps, { projectId, url, head, traceId: 't1' });
  const requested = () => fakes.state().outbox.map((event) => `${event.actionId}@${event.version}`);
  return { fakes, deps, scanDone, install, requested };
}

describe('installStandardLibrary', () => {
  it('gives a project its managed source and queues its first scan, once', async () => {
    const { fakes, install } = world();
    const first = await install('a'.repeat(40));
    expect(first).toMatchObject({ ok: true, value: { source: 'created', scanQueued: true, builds: [] } });
    expect(fakes.state().sources.map((row) => row.source)).toEqual([expect.objectContaining({ name: 'standard', url, managed: true, createdBy: 'trellis' })]);
    expect(fakes.state().scans.map((row) => [row.scan.status, row.scan.requestedBy])).toEqual([['queued', 'trellis']]);

    expect(await install('a'.repeat(40))).toMatchObject({ ok: true, value: { source: 'unchanged', scanQueued: false, builds: [] } });
    expect(fakes.state().sources).toHaveLength(1);
    expect(fakes.state().scans).toHaveLength(1);
  });

  it('after the scan: requests nothing at a restart, and a new commit is scanned again', async () => {
    const { fakes, install, scanDone, requested, deps } = world();
    await install('a'.repeat(40));
    const scan = scanDone('a'.repeat(40), [['hash', '1.0.0'], ['transform', '1.0.0']]);
    expect((await buildStandardLibrary(deps, { projectId: 'p1', sourceId: scan.sourceId, traceId: 't2' })).builds).toHaveLength(2);
    expect(requested()).toEqual(['hash@1.0.0', 'transform@1.0.0']);
    expect(fakes.state().builds.map((b) => b.requestedBy)).toEqual(['trellis', 'trellis']);

    expect(await install('a'.repeat(40))).toMatchObject({ ok: true, value: { scanQueued: false, builds: [] } });
    expect(requested()).toHaveLength(2);

    expect(await install('b'.repeat(40))).toMatchObject({ ok: true, value: { scanQueued: true, builds: [] } });
    scanDone('b'.repeat(40), [['hash', '1.0.0'], ['transform', '1.1.0']]);
    await buildStandardLibrary(deps, { projectId: 'p1', sourceId: scan.sourceId, traceId: 't3' });
    expect(requested()).toEqual(['hash@1.0.0', 'transform@1.0.0', 'transform@1.1.0']);
  });

  it('at a restart, requests the builds a crash left unrequested, and tries failed ones again', async () => {
    const { fakes, install, scanDone, requested } = world();
    await install('a'.repeat(40));
    scanDone('a'.repeat(40), [['hash', '1.0.0'], ['log', '1.0.0']]);
    expect(await install('a'.repeat(40))).toMatchObject({ ok: true, value: { scanQueued: false } });
    expect(requested()).toEqual(['hash@1.0.0', 'log@1.0.0']);
    const builds = fakes.state().builds;
    builds[1] = { ...(builds[1] as Build), status: 'failed' };
    await install('a'.repeat(40));
    expect(requested()).toEqual(['hash@1.0.0', 'log@1.0.0', 'log@1.0.0']);
  });

  it('does not queue a second scan while one waits, nor build from an older scan meanwhile', async () => {
    const { fakes, install, scanDone, requested } = world();
    await install('a'.repeat(40));
    scanDone('a'.repeat(40), [['hash', '1.0.0']]);
    await install('b'.repeat(40));
    expect(await install('b'.repeat(40))).toMatchObject({ ok: true, value: { scanQueued: false, builds: [] } });
    expect(fakes.state().scans.filter((row) => row.scan.status === 'queued')).toHaveLength(1);
    expect(requested()).toEqual([]);
  });

  it('moves the source to the operator\'s new URL', async () => {
    const { fakes, deps } = world();
    await installStandardLibrary(deps, { projectId: 'p1', url, head: undefined, traceId: 't' });
    const moved = await installStandardLibrary(deps, { projectId: 'p1', url: 'file:///opt/lib.git', head: undefined, traceId: 't' });
    expect(moved).toMatchObject({ ok: true, value: { source: 'moved' } });
    expect(fakes.state().sources.map((row) => row.source.url)).toEqual(['file:///opt/lib.git']);
  });

  it('refuses a project it does not know, and a user\'s source already named standard', async () => {
    const { fakes, install } = world();
    expect(await install('a', 'p9')).toEqual({ ok: false, error: { type: 'ProjectNotKnown' } });
    const mine: Source = {
      id: 'u1', projectId: 'p1', name: 'standard', url: 'https://git.example.com/mine.git', branch: null, username: null, hasCredentials: false,
      managed: false, createdBy: 'ada', createdAt: now, updatedAt: now,
    };
    fakes.state().sources.push({ source: mine, sealedPassword: null });
    expect(await install('a')).toEqual({ ok: false, error: { type: 'StandardNameTaken' } });
    expect(fakes.state().scans).toEqual([]);
  });

  it('installs in every known project', async () => {
    const { fakes, deps } = world(['p1', 'p2']);
    const results = await installStandardLibraryEverywhere(deps, { url, head: 'a', traceId: 't' });
    expect(results.map((r) => [r.projectId, r.result.ok])).toEqual([['p1', true], ['p2', true]]);
    expect(fakes.state().sources.map((row) => row.source.projectId)).toEqual(['p1', 'p2']);
  });
});

describe('buildStandardLibrary', () => {
  it('does nothing for another source\'s scan', async () => {
    const { install, deps, scanDone, requested } = world();
    await install('a');
    scanDone('a', [['hash', '1.0.0']]);
    expect(await buildStandardLibrary(deps, { projectId: 'p1', sourceId: 'not-the-library', traceId: 't' })).toEqual({ builds: [] });
    expect(requested()).toEqual([]);
  });
});

describe('a managed source', () => {
  it('cannot be deleted by a user: nothing is removed', async () => {
    const { fakes, install, deps } = world();
    const installed = await install('a');
    if (!installed.ok) throw new Error('not installed');
    const removed: string[] = [];
    const result = await deleteSource({ uow: deps.uow, objects: { deleteAll: async (_p, id) => { removed.push(id); } } }, { projectId: 'p1', sourceId: installed.value.sourceId });
    expect(result).toEqual({ ok: false, error: { type: 'ManagedSource' } });
    expect(removed).toEqual([]);
    expect(fakes.state().sources).toHaveLength(1);
  });
});
