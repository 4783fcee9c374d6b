import { describe, expect, it } from 'vitest';
import { ok } from '@trellis/kernel/result';
import type { BuildRequest } from '../domain/build.js';
import { cancelBuild } from './cancel-build.js';
import { claimBuilds } from './claim-builds.js';
import { anAction, makeFakeArtifacts, makeFakeLogs, makeFakeToolchain, makeFakes, type FakeSteps } from './fakes.js';
import type { StopReason } from './ports.js';
import { recordBuildRequest } from './record-build-request.js';
import { runBuild, type RunBuildDeps } from './run-build.js';

const settings = { owner: 'process-a', leaseMs: 30_000, maxAttempts: 3 };

function aRequest(overrides: Partial<BuildRequest> = {}): BuildRequest {
  return {
    id: 'b1', projectId: 'p1', sourceId: 's1', sourceName: 'tools', commit: 'c'.repeat(40), folder: 'actions/echo', actionId: 'echo', version: '1.0.0',
    sourceObject: 'repository/projects/p1/sources/s1/a.tar.gz', sourceSha256: 'a'.repeat(64), requestedBy: 'u1', imageSites: [], traceId: 't1',
    requestedAt: new Date('2026-11-01T09:59:00Z'), ...overrides,
  };
}

function setUp(steps: Partial<FakeSteps> = {}) {
  const fakes = makeFakes();
  fakes.knowProject('p1');
  const deleted: string[] = [];
  const unexpected: unknown[] = [];
  const deps: RunBuildDeps = {
    uow: fakes.uow, clock: fakes.clock, logs: makeFakeLogs(), toolchain: makeFakeToolchain(steps), artifacts: makeFakeArtifacts(),
    objects: { deleteAll: async (projectId) => (deleted.push(projectId), { deleted: 1 }) },
    onUnexpected: (error) => void unexpected.push(error),
  };
  const request = (overrides: Partial<BuildRequest> = {}) => fakes.inTransaction((tx) => recordBuildRequest(tx, aRequest(overrides)));
  const claim = (owner = settings.owner, limit = 1) => claimBuilds(fakes, { ...settings, owner, limit });
  const run = async (stop?: StopReason, owner = settings.owner) => {
    const [build] = await claim(owner);
    if (!build) throw new Error('nothing to claim');
    const controller = new AbortController();
    if (stop) controller.abort(stop);
    return runBuild(deps, { build, signal: controller.signal });
  };
  const events = (type?: string) => fakes.state().published.filter((event) => type === undefined || event.type === type);
  return { fakes, deps, request, claim, run, events, deleted, unexpected, logs: deps.logs as ReturnType<typeof makeFakeLogs> };
}

describe('requesting a build', () => {
  it('queues it once, however often the request arrives, and wakes the builders', async () => {
    const { fakes, request } = setUp();
    expect(await request()).toBe('queued');
    expect(await request()).toBe('duplicate');
    expect(Object.values(fakes.state().builds)).toMatchObject([{ id: 'b1', state: 'queued', attempt: 0 }]);
    expect(fakes.state().wakes).toBe(1);
  });

  it('drops a request of a deleted project and retries one of a project not announced yet', async () => {
    const { fakes, request } = setUp();
    fakes.knowProject('p2', 'deleted');
    expect(await request({ projectId: 'p2' })).toBe('project_deleted');
    await expect(request({ projectId: 'p3' })).rejects.toThrow(/not known here yet/);
    expect(fakes.state().builds).toEqual({});
  });
});

describe('running a build', () => {
  it('stores the artifact and announces it without secrets', async () => {
    const { fakes, request, run, events, deps } = setUp();
    await request();
    expect(await run()).toBe('succeeded');
    expect(fakes.state().builds['b1']).toMatchObject({
      state: 'succeeded', attempt: 1, lease: null,
      artifact: { digest: 'd'.repeat(64), object: `action-builder/projects/p1/artifacts/${'d'.repeat(64)}.tar.gz`, size: 1234 },
      logObject: 'action-builder/projects/p1/builds/b1/log.txt',
    });
    expect(events().map((event) => event.type)).toEqual(['BuildStarted', 'BuildSucceeded']);
    expect(events('BuildSucceeded')[0]).toMatchObject({ digest: 'd'.repeat(64), sourceId: 's1', folder: 'actions/echo', action: { id: 'echo', inputs: [{ name: 'text' }, { name: 'token', hasSecretDefault: true, defaultJson: '' }] } });
    expect(JSON.stringify(events())).not.toContain('hunter2');
    expect((deps.toolchain as ReturnType<typeof makeFakeToolchain>).disposed).toBe(1);
  });

  it.each([
    ['a source that does not match its digest', { fetch: async () => ({ ok: false as const, error: { reason: 'the source tarball changed' } }) }, 'the source tarball changed'],
    ['a dependency that cannot be installed', { install: async () => ({ ok: false as const, error: { reason: 'npm ci failed: package left-pad@9.9.9 not found' } }) }, 'npm ci failed: package left-pad@9.9.9 not found'],
    ['another version in the folder', { load: async () => ok({ description: anAction({ version: '2.0.0' }), logo: null, definition: {} }) }, 'the folder holds action echo version 2.0.0, but the build asked for echo version 1.0.0; scan the source again'],
  ])('fails on %s, with the reason and the log', async (_case, steps, reason) => {
    const { fakes, request, run, events } = setUp(steps);
    await request();
    expect(await run()).toBe('failed');
    expect(fakes.state().builds['b1']).toMatchObject({ state: 'failed', failureReason: reason, artifact: null, logObject: 'action-builder/projects/p1/builds/b1/log.txt' });
    expect(events('BuildFailed')).toMatchObject([{ reason, canceled: false, logObject: 'action-builder/projects/p1/builds/b1/log.txt' }]);
    expect((events('BuildFailed')[0] as { logTail: string }).logTail).toContain(`[builder] failed: ${reason}`);
  });

  it('fails with a plain reason on an unexpected error, and reports the error', async () => {
    const { fakes, request, run, unexpected } = setUp({ seal: async () => { throw new Error('disk full at /var/tmp/x'); } });
    await request();
    expect(await run()).toBe('failed');
    expect(fakes.state().builds['b1']?.failureReason).toMatch(/^the builder failed unexpectedly/);
    expect(unexpected).toHaveLength(1);
  });

  it('fails a build that took too long', async () => {
    const { fakes, request, run } = setUp();
    await request();
    expect(await run({ type: 'timed_out', afterMs: 60_000 })).toBe('failed');
    expect(fakes.state().builds['b1']?.failureReason).toBe('the build took longer than 60 s and was stopped');
  });
});

describe('canceling a build', () => {
  it('ends a queued build at once', async () => {
    const { fakes, request, events, claim } = setUp();
    await request();
    const result = await cancelBuild(fakes, { projectId: 'p1', buildId: 'b1', by: 'ada' });
    expect(result).toMatchObject({ ok: true, value: { state: 'canceled' } });
    expect(events()).toMatchObject([{ type: 'BuildFailed', canceled: true, reason: 'canceled by ada' }]);
    expect(await claim()).toEqual([]);
  });

  it('marks a running build, whose holder is woken, stops it and ends it canceled', async () => {
    const { fakes, request, events, deps } = setUp();
    await request();
    const [build] = await claimBuilds(fakes, { ...settings, limit: 1 });
    const wakesBefore = fakes.state().wakes;
    expect(await cancelBuild(fakes, { projectId: 'p1', buildId: 'b1', by: 'ada' })).toMatchObject({ ok: true, value: { state: 'running', cancelRequestedBy: 'ada' } });
    expect(fakes.state().wakes).toBe(wakesBefore + 1);
    expect((await fakes.leases.renew(settings.owner, ['b1'], fakes.clock(), 1000))[0]).toMatchObject({ id: 'b1', cancelRequested: true });
    const controller = new AbortController();
    controller.abort({ type: 'canceled' } satisfies StopReason);
    expect(await runBuild(deps, { build: build!, signal: controller.signal })).toBe('canceled');
    expect(events('BuildFailed')).toMatchObject([{ canceled: true, reason: 'canceled by ada' }]);
  });

  it.each([
    ['another project\'s build', 'p2', 'b1', 'BuildNotFound'],
    ['an unknown build', 'p1', 'nope', 'BuildNotFound'],
  ])('does not find %s', async (_case, projectId, buildId, type) => {
    const { fakes, request } = setUp();
    await request();
    expect(await cancelBuild(fakes, { projectId, buildId, by: 'ada' })).toMatchObject({ ok: false, error: { type } });
  });

  it('refuses a finished build', async () => {
    const { fakes, request, run } = setUp();
    await request();
    await run();
    expect(await cancelBuild(fakes, { projectId: 'p1', buildId: 'b1', by: 'ada' })).toMatchObject({ ok: false, error: { type: 'BuildFinished', state: 'succeeded' } });
  });
});

describe('builders that stop', () => {
  it('queue their build again on a graceful stop; the next claim is the next attempt', async () => {
    const { fakes, request, run, events, claim } = setUp();
    await request();
    expect(await run({ type: 'shutdown' })).toBe('released');
    expect(fakes.state().builds['b1']).toMatchObject({ state: 'queued', attempt: 1, lease: null });
    expect((await claim('process-b'))[0]).toMatchObject({ attempt: 2, lease: { owner: 'process-b' } });
    expect(events('BuildStarted').map((event) => (event as { attempt: number }).attempt)).toEqual([1, 2]);
  });

  it('lose a build whose lease expired to another process, whose result alone counts', async () => {
    const { fakes, request, claim, deps, events } = setUp();
    await request();
    const [first] = await claim('process-a');
    expect(await claim('process-b')).toEqual([]);
    fakes.advance(settings.leaseMs);
    const [second] = await claim('process-b');
    expect(second).toMatchObject({ attempt: 2 });
    expect(await runBuild(deps, { build: second!, signal: new AbortController().signal })).toBe('succeeded');
    expect(await runBuild(deps, { build: first!, signal: new AbortController().signal })).toBe('stale');
    expect(events('BuildSucceeded')).toHaveLength(1);
  });

  it('give up on a build that stopped its builder too often', async () => {
    const { fakes, request, claim, events } = setUp();
    await request();
    for (let attempt = 1; attempt <= settings.maxAttempts; attempt++) {
      expect(await claim()).toHaveLength(1);
      fakes.advance(settings.leaseMs);
    }
    expect(await claim()).toEqual([]);
    expect(fakes.state().builds['b1']).toMatchObject({ state: 'failed', attempt: settings.maxAttempts });
    expect(events('BuildFailed')).toMatchObject([{ reason: expect.stringContaining('stopped during this build 3 times') as string }]);
  });

  it('leave a lost build alone, and remove what they stored for a project deleted meanwhile', async () => {
    const { fakes, request, run, events, deleted, deps } = setUp();
    await request();
    expect(await run({ type: 'lost' })).toBe('stale');
    expect(events().map((event) => event.type)).toEqual(['BuildStarted']);
    expect(deleted).toEqual([]);

    await request({ id: 'b2' });
    const [build] = await claimBuilds(fakes, { ...settings, limit: 5 });
    delete fakes.state().builds['b2'];
    expect(await runBuild(deps, { build: build!, signal: new AbortController().signal })).toBe('gone');
    expect(deleted).toEqual(['p1']);

    await request({ id: 'b3' });
    const [stopped] = await claimBuilds(fakes, { ...settings, limit: 5 });
    delete fakes.state().builds['b3'];
    const controller = new AbortController();
    controller.abort({ type: 'lost' } satisfies StopReason);
    expect(await runBuild(deps, { build: stopped!, signal: controller.signal })).toBe('gone');
    expect(deleted).toEqual(['p1', 'p1']);
  });
});
