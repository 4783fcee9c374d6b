import { describe, expect, it } from 'vitest';
import * as Build from './build.js';

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 1, 10, 0, seconds));
const owner = 'process-a';

function aRequest(overrides: Partial<Build.BuildRequest> = {}): Build.BuildRequest {
  return {
    id: 'b1', projectId: 'p1', sourceId: 's1', sourceName: 'tools', commit: 'c'.repeat(40), folder: 'actions/echo', actionId: 'echo', version: '1.0.0',
    sourceObject: 'repository/projects/p1/sources/s1/x.tar.gz', sourceSha256: 'a'.repeat(64), requestedBy: 'u1', imageSites: [], traceId: 't1',
    requestedAt: at(0), ...overrides,
  };
}

function aBuild(state: 'queued' | 'running' | 'succeeded', overrides: Partial<Build.Build> = {}): Build.Build {
  const queued = Build.request(aRequest());
  const built = state === 'queued' ? queued : Build.claim(queued, { owner, now: at(1), leaseMs: 10_000 });
  return { ...built, ...(state === 'succeeded' ? { state: 'succeeded', lease: null } : {}), ...overrides };
}

const succeeded: Build.Succeeded = {
  action: { kind: 'Processor', id: 'echo', version: '1.0.0', name: 'Echo', description: '', runtime: 'nodejs', handler: 'handler.js', categories: [], inputs: [], outputs: [], resources: {}, format: 'trellis' },
  artifact: { digest: 'd'.repeat(64), object: 'action-builder/projects/p1/artifacts/d.tar.gz', size: 10 },
  logo: null, images: [], logObject: 'log',
};

describe('claiming', () => {
  it.each([
    ['a queued build', aBuild('queued'), at(5), true],
    ['a running build whose lease holds', aBuild('running'), at(5), false],
    ['a running build whose lease expired', aBuild('running'), at(11), true],
    ['a finished build', aBuild('succeeded'), at(60), false],
  ] as const)('%s: claimable %s', (_case, build, now, expected) => {
    expect(Build.isClaimable(build, now)).toBe(expected);
  });

  it('takes the next attempt under the new holder, from the start', () => {
    const first = Build.claim(aBuild('queued'), { owner, now: at(1), leaseMs: 10_000 });
    const again = Build.claim(first, { owner: 'process-b', now: at(20), leaseMs: 10_000 });
    expect(again).toMatchObject({ state: 'running', attempt: 2, startedAt: at(20), lease: { owner: 'process-b', expiresAt: at(30) } });
  });
});

describe('beginning a claimed attempt', () => {
  it('announces the attempt', () => {
    const begun = Build.begin(aBuild('running'), { now: at(1), maxAttempts: 3, logObject: null });
    expect(begun.run).toBe(true);
    expect(begun.events).toEqual([{ type: 'BuildStarted', buildId: 'b1', projectId: 'p1', attempt: 1, traceId: 't1', occurredAt: at(1) }]);
  });

  it.each([
    ['a cancellation asked while its holder was gone', { cancelRequestedBy: 'ada' }, 'canceled', 'canceled by ada', true],
    ['too many attempts', { attempt: 4 }, 'failed', 'the builder stopped during this build 3 times (killed, out of memory or restarted); it is not tried again', false],
  ] as const)('ends at once after %s, without counting the attempt', (_case, overrides, state, reason, canceled) => {
    const claimed = { ...aBuild('running'), ...overrides };
    const begun = Build.begin(claimed, { now: at(2), maxAttempts: 3, logObject: 'log' });
    expect(begun.run).toBe(false);
    expect(begun.build).toMatchObject({ state, lease: null, finishedAt: at(2), failureReason: reason, attempt: claimed.attempt - 1, logObject: 'log' });
    expect(begun.events[0]).toMatchObject({ type: 'BuildFailed', reason, canceled });
  });
});

describe('ending an attempt', () => {
  const fence = { owner, attempt: 1 };
  it.each([
    ['another holder', { owner: 'process-b', attempt: 1 }],
    ['an earlier attempt', { owner, attempt: 0 }],
  ])('drops the result of %s', (_case, stale) => {
    expect(Build.succeed(aBuild('running'), stale, succeeded, at(3))).toEqual({ ok: false, error: { type: 'StaleHolder', buildId: 'b1' } });
    expect(Build.fail(aBuild('running'), stale, { reason: 'x', logTail: '', logObject: null }, at(3)).ok).toBe(false);
    expect(Build.release(aBuild('running'), stale).ok).toBe(false);
  });

  it('drops a result for a build that is no longer running', () => {
    expect(Build.succeed(aBuild('succeeded'), fence, succeeded, at(3)).ok).toBe(false);
  });

  it('succeeds with the artifact and announces it', () => {
    const result = Build.succeed(aBuild('running'), fence, succeeded, at(3));
    if (!result.ok) throw new Error('expected success');
    expect(result.value.build).toMatchObject({ state: 'succeeded', lease: null, finishedAt: at(3), artifact: succeeded.artifact, logObject: 'log' });
    expect(result.value.events[0]).toMatchObject({ type: 'BuildSucceeded', digest: succeeded.artifact.digest, sourceId: 's1', folder: 'actions/echo' });
  });

  it.each([
    ['a failure', null, 'failed', 'npm ci failed', false],
    ['a failure after a cancellation was asked', 'ada', 'canceled', 'canceled by ada', true],
  ] as const)('ends %s', (_case, cancelRequestedBy, state, reason, canceled) => {
    const result = Build.fail(aBuild('running', { cancelRequestedBy }), fence, { reason: 'npm ci failed', logTail: 'tail', logObject: 'log' }, at(3));
    if (!result.ok) throw new Error('expected an end');
    expect(result.value.build).toMatchObject({ state, failureReason: reason, lease: null });
    expect(result.value.events).toEqual([{ type: 'BuildFailed', buildId: 'b1', projectId: 'p1', reason, logTail: 'tail', logObject: 'log', canceled, traceId: 't1', occurredAt: at(3) }]);
  });

  it('queues a released build again, keeping its attempts', () => {
    expect(Build.release(aBuild('running'), fence)).toMatchObject({ ok: true, value: { state: 'queued', lease: null, attempt: 1 } });
  });
});

describe('canceling', () => {
  it.each([
    ['a queued build ends canceled at once', aBuild('queued'), 'canceled', 'canceled', 1],
    ['a running build is marked for its holder to stop', aBuild('running'), 'stopping', 'running', 0],
    ['a running build marked already stays as it is', aBuild('running', { cancelRequestedBy: 'bob' }), 'stopping', 'running', 0],
  ] as const)('%s', (_case, build, outcome, state, events) => {
    const result = Build.requestCancel(build, 'ada', at(4));
    if (!result.ok) throw new Error('expected a cancellation');
    expect(result.value.outcome).toBe(outcome);
    expect(result.value.build.state).toBe(state);
    expect(result.value.build.cancelRequestedBy).toBe(build.cancelRequestedBy ?? 'ada');
    expect(result.value.events).toHaveLength(events);
  });

  it('refuses a finished build', () => {
    expect(Build.requestCancel(aBuild('succeeded'), 'ada', at(4))).toEqual({ ok: false, error: { type: 'BuildFinished', buildId: 'b1', state: 'succeeded' } });
  });
});

describe('tailOf', () => {
  it.each([
    ['a short log whole', 'a\nb\n', 10, 'a\nb\n'],
    ['the last whole lines', 'first line\nsecond\nthird\n', 14, 'second\nthird\n'],
    ['the last whole lines when the bound falls on a line start', 'first line\nsecond\nthird\n', 13, 'second\nthird\n'],
    ['the end of a last line longer than the bound', 'abcdef', 3, 'def'],
    ['multi-byte text within the bound', 'ééééé\nééé\n', 8, 'ééé\n'],
  ])('keeps %s', (_case, log, max, expected) => {
    expect(Build.tailOf(log, max)).toBe(expected);
  });
});
