import { describe, expect, it } from 'vitest';
import type { ScanFailure } from '../domain/scan.js';
import { cancelScan } from './cancel-scan.js';
import { createSource } from './create-source.js';
import { anAction, fakeVault, makeFakeScanWorld, makeFakes, type FakeRepository } from './fakes.js';
import { requestScan } from './request-scan.js';
import { runScan } from './run-scan.js';

const now = new Date('2026-01-01T00:00:00Z');
let counter = 0;
const ids = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
let tick = 0;
const clock = () => new Date(now.getTime() + ++tick * 1000);

async function setUp(credentials: { username?: string; password?: string } = {}) {
  const fakes = makeFakes({ projects: ['p1'] });
  const deps = { ...fakes, vault: fakeVault, clock, ids, settings: { allowFileUrls: true } };
  const created = await createSource(deps, { projectId: 'p1', name: 'actions', url: 'https://git.example.com/a.git', createdBy: 'u1', ...credentials });
  if (!created.ok) throw new Error('not created');
  return { fakes, deps, sourceId: created.value.id };
}

async function scanned(setup: Awaited<ReturnType<typeof setUp>>, repository: FakeRepository | ScanFailure, owner = 'worker-1') {
  const requested = await requestScan(setup.deps, { projectId: 'p1', sourceId: setup.sourceId, requestedBy: 'u1' });
  if (!requested.ok) throw new Error('not requested');
  const scan = setup.fakes.claim(requested.value.scan.id, owner);
  const world = makeFakeScanWorld(repository);
  const outcome = await runScan({ ...setup.deps, ...world }, { scan, owner }, new AbortController().signal);
  return { outcome, world, row: setup.fakes.state().scans.find((r) => r.scan.id === scan.id) };
}

const repo = (contents: Record<string, string>, problems: FakeRepository['problems'] = []): FakeRepository => ({
  commit: 'c'.repeat(40), branch: 'main', problems,
  actions: Object.entries(contents).map(([id, content]) => ({ folder: `actions/${id}`, action: anAction(id), content })),
});

describe('requestScan', () => {
  it('queues one scan per source while one waits', async () => {
    const setup = await setUp();
    const first = await requestScan(setup.deps, { projectId: 'p1', sourceId: setup.sourceId, requestedBy: 'u1' });
    const second = await requestScan(setup.deps, { projectId: 'p1', sourceId: setup.sourceId, requestedBy: 'u2' });
    expect(first).toMatchObject({ ok: true, value: { queued: true, scan: { status: 'queued' } } });
    expect(second).toMatchObject({ ok: true, value: { queued: false } });
    expect(first.ok && second.ok && second.value.scan.id).toBe(first.ok && first.value.scan.id);
    expect(setup.fakes.state().scans).toHaveLength(1);
  });

  it('answers SourceNotFound for another project', async () => {
    const setup = await setUp();
    expect(await requestScan(setup.deps, { projectId: 'p2', sourceId: setup.sourceId, requestedBy: 'u1' })).toEqual({ ok: false, error: { type: 'SourceNotFound' } });
  });
});

describe('runScan', () => {
  it('records the commit, the actions and the problems of a clone, all new the first time', async () => {
    const setup = await setUp();
    const problem = { folder: 'broken', file: 'broken/trellis.yaml', line: 3, column: 1, code: 'unknown_field', message: 'unknown field "x"' };
    const { outcome, row, world } = await scanned(setup, repo({ echo: 'e1', upper: 'u1' }, [problem]));
    expect(outcome.outcome).toBe('done');
    expect(row?.scan).toMatchObject({ status: 'done', commit: 'c'.repeat(40), branch: 'main' });
    expect(row?.findings?.actions.map((a) => [a.action.id, a.change])).toEqual([['echo', 'new'], ['upper', 'new']]);
    expect(row?.findings?.problems).toEqual([problem]);
    expect(world.disposed()).toBe(1);
  });

  it('compares with the previous scan: changed, unchanged, removed', async () => {
    const setup = await setUp();
    await scanned(setup, repo({ echo: 'e1', upper: 'u1', gone: 'g1' }));
    const { row } = await scanned(setup, repo({ echo: 'e1', upper: 'u2', fresh: 'f1' }));
    expect(row?.findings?.actions.map((a) => [a.action.id, a.change])).toEqual([['echo', 'unchanged'], ['fresh', 'new'], ['upper', 'changed']]);
    expect(row?.findings?.removed.map((a) => a.id)).toEqual(['gone']);
  });

  it('hands the opened credentials to git, and nothing else sees them', async () => {
    const setup = await setUp({ username: 'ada', password: 'hunter2' });
    const { world, row } = await scanned(setup, repo({}));
    expect(world.clones).toEqual([{ url: 'https://git.example.com/a.git', branch: null, credentials: { username: 'ada', password: 'hunter2' } }]);
    expect(JSON.stringify(row)).not.toContain('hunter2');
  });

  it('records a failed clone with its reason in plain words', async () => {
    const setup = await setUp();
    const { outcome, row } = await scanned(setup, { code: 'branch_missing', branch: 'dev' });
    expect(outcome.outcome).toBe('failed');
    expect(row?.scan.failure).toEqual({ code: 'branch_missing', message: 'The branch "dev" does not exist in the repository.' });
  });

  it('fails when the stored password does not open (another secret key)', async () => {
    const setup = await setUp({ password: 'x' });
    setup.fakes.state().sources[0] = { ...setup.fakes.state().sources[0]!, sealedPassword: 'sealed(another-row):eA==' };
    const { row, world } = await scanned(setup, repo({}));
    expect(row?.scan.failure?.code).toBe('credentials_unreadable');
    expect(world.clones).toEqual([]);
  });

  it('writes nothing for a scan canceled while it ran', async () => {
    const setup = await setUp();
    const requested = await requestScan(setup.deps, { projectId: 'p1', sourceId: setup.sourceId, requestedBy: 'u1' });
    if (!requested.ok) throw new Error('not requested');
    const scan = setup.fakes.claim(requested.value.scan.id, 'w1');
    const world = makeFakeScanWorld(repo({ echo: 'e' }));
    const canceling = { ...world, git: { checkout: async (...args: Parameters<typeof world.git.checkout>) => {
      await cancelScan(setup.deps, { projectId: 'p1', sourceId: setup.sourceId, scanId: scan.id });
      return world.git.checkout(...args);
    } } };
    const outcome = await runScan({ ...setup.deps, ...canceling }, { scan, owner: 'w1' }, new AbortController().signal);
    expect(outcome.outcome).toBe('lost');
    expect(setup.fakes.state().scans[0]).toMatchObject({ scan: { status: 'canceled' }, findings: null });
  });

  it('writes nothing when the worker stops it, and gives up a scan interrupted too often', async () => {
    const setup = await setUp();
    const requested = await requestScan(setup.deps, { projectId: 'p1', sourceId: setup.sourceId, requestedBy: 'u1' });
    if (!requested.ok) throw new Error('not requested');
    const stop = new AbortController();
    stop.abort();
    const scan = setup.fakes.claim(requested.value.scan.id, 'w1');
    expect((await runScan({ ...setup.deps, ...makeFakeScanWorld(repo({ e: 'e' })) }, { scan, owner: 'w1' }, stop.signal)).outcome).toBe('aborted');
    expect(setup.fakes.state().scans[0]?.scan.status).toBe('running');

    const tired = { ...scan, attempt: 4 };
    const outcome = await runScan({ ...setup.deps, ...makeFakeScanWorld(repo({})) }, { scan: tired, owner: 'w1' }, new AbortController().signal);
    expect(outcome.outcome).toBe('failed');
    expect(setup.fakes.state().scans[0]?.scan.failure?.message).toMatch(/interrupted 3 times/);
  });
});

describe('cancelScan', () => {
  it('cancels a queued scan of the source, and refuses a finished one', async () => {
    const setup = await setUp();
    const requested = await requestScan(setup.deps, { projectId: 'p1', sourceId: setup.sourceId, requestedBy: 'u1' });
    if (!requested.ok) throw new Error('not requested');
    const input = { projectId: 'p1', sourceId: setup.sourceId, scanId: requested.value.scan.id };
    expect(await cancelScan(setup.deps, { ...input, sourceId: 'another' })).toEqual({ ok: false, error: { type: 'ScanNotFound' } });
    expect(await cancelScan(setup.deps, input)).toMatchObject({ ok: true, value: { status: 'canceled' } });
    const done = await scanned(setup, repo({}));
    expect(await cancelScan(setup.deps, { ...input, scanId: done.outcome.scan.id })).toEqual({ ok: false, error: { type: 'ScanNotCancelable', status: 'done' } });
  });
});
