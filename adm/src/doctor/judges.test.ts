import { describe, expect, it } from 'vitest';
import { secretKeyCheck } from '../instance/instance.js';
import { judgeBuilds, type OpenBuild } from './builds.js';
import { explainConnectionError } from './connection-problems.js';
import { judgeKeys, type FoundKeys } from './keys.js';
import { judgeOutbox } from './outbox.js';
import { judgePlatform } from './platform.js';
import type { ChildState, SupervisorState } from '../local/supervisor-plan.js';
import { judgeRuns } from './runs.js';
import { judgeDisk } from './storage.js';

const now = new Date('2026-01-01T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const MIN = 60_000;

describe('stuck runs', () => {
  const orphan = (id: string, leaseEndedMsAgo: number) => ({ id, status: 'running' as const, createdAt: ago(3 * MIN), startedAt: ago(2 * MIN), leaseEndedAt: ago(leaseEndedMsAgo) });

  it('are orphans past the takeover grace, named by id', () => {
    const check = judgeRuns([orphan('r-old', 10 * MIN), orphan('r-new', 5_000)], now);
    expect(check).toMatchObject({ status: 'fail', check: 'runs', detail: '1 run stuck with an expired lease: r-old (running since 2 min); the oldest lease ended 10 min ago' });
    expect(check.hint).toMatch(/is the runner running\?/);
  });

  it('none while a runner may still take them over', () => {
    expect(judgeRuns([orphan('r', 30_000)], now).status).toBe('ok');
  });
});

describe('stuck builds', () => {
  const times = { leaseMs: 30_000, pollMs: 10_000, timeoutMs: 15 * MIN };
  const build = (over: Partial<OpenBuild>): OpenBuild => ({ id: 'b1', actionId: 'echo', version: '1.0.0', state: 'running', requestedAt: ago(5 * MIN), startedAt: ago(4 * MIN), leaseExpiresAt: new Date(now.getTime() + 20_000), ...over });

  it.each([
    ['a running build under a live lease', build({}), ago(4 * MIN), 'ok'],
    ['a lease expired a moment ago (a builder takes it over)', build({ leaseExpiresAt: ago(20_000) }), ago(4 * MIN), 'ok'],
    ['a lease expired long ago', build({ leaseExpiresAt: ago(10 * MIN) }), ago(4 * MIN), 'fail'],
    ['running beyond the timeout', build({ startedAt: ago(40 * MIN), requestedAt: ago(41 * MIN) }), ago(40 * MIN), 'fail'],
    ['queued long while nothing starts', build({ state: 'queued', startedAt: null, leaseExpiresAt: null, requestedAt: ago(30 * MIN) }), ago(60 * MIN), 'fail'],
    ['queued long behind a busy builder', build({ state: 'queued', startedAt: null, leaseExpiresAt: null, requestedAt: ago(30 * MIN) }), ago(MIN), 'warn'],
  ])('%s: %s', (_, open, lastStarted, status) => {
    expect(judgeBuilds([open], lastStarted, times, now).status).toBe(status);
  });

  it('names the stuck build', () => {
    expect(judgeBuilds([build({ leaseExpiresAt: ago(10 * MIN) })], null, times, now).detail).toBe("1 build stuck: b1 (echo@1.0.0) running, its builder's lease expired 10 min ago");
  });
});

describe('the outbox', () => {
  const backlog = (oldestMsAgo: number) => ({ unsent: 2, oldestCreatedAt: ago(oldestMsAgo), maxAttempts: 3, lastError: 'channel closed' });
  it.each([
    [0, 'ok'], [5_000, 'ok'], [MIN, 'warn'], [10 * MIN, 'fail'],
  ])('a backlog whose oldest waits %i ms is %s', (age, status) => {
    expect(judgeOutbox('studio', backlog(age), now).status).toBe(status);
  });
  it('says how much, how old and the last error', () => {
    expect(judgeOutbox('studio', backlog(10 * MIN), now).detail).toBe('2 messages not published yet, the oldest for 10 min, tried up to 3 times; last error: channel closed');
    expect(judgeOutbox('studio', { unsent: 0, oldestCreatedAt: null, maxAttempts: 0, lastError: null }, now).detail).toBe('nothing waiting to be published');
  });
});

describe('keys', () => {
  const key = Buffer.alloc(32, 1).toString('base64');
  const found: FoundKeys = { secretKey: key, secretKeyFromEnv: false, repositorySecretKey: key, studioSecretKey: key, runnerSealingKey: key, runnerPublicKey: 'PUBLICKEYxxxxxx', secretsFileOpen: false };
  const statuses = (f: FoundKeys, check: string | null) => judgeKeys(f, check, '/x/.trellis/secrets.env').map((c) => `${c.subject} ${c.status}`);

  it('present and matching the instance are ok', () => {
    expect(statuses(found, secretKeyCheck(key))).toEqual(['TRELLIS_SECRET_KEY ok', 'TRELLIS_REPOSITORY_SECRET_KEY ok', 'TRELLIS_STUDIO_SECRET_KEY ok', 'TRELLIS_RUNNER_SEALING_KEY ok']);
  });
  it('another secret key than the instance was provisioned with fails, and says where it came from', () => {
    const [check] = judgeKeys({ ...found, secretKeyFromEnv: true }, secretKeyCheck('another'), 'f');
    expect(check).toMatchObject({ status: 'fail', detail: 'the one set in your environment is not the key the instance was provisioned with: authorization cannot open its signing keys', hint: 'unset TRELLIS_SECRET_KEY' });
  });
  it('missing or broken keys fail; an open secrets file warns', () => {
    expect(statuses({ ...found, studioSecretKey: undefined, runnerPublicKey: undefined, secretsFileOpen: true }, secretKeyCheck(key))).toEqual([
      'TRELLIS_SECRET_KEY ok', 'TRELLIS_REPOSITORY_SECRET_KEY ok', 'TRELLIS_STUDIO_SECRET_KEY fail', 'TRELLIS_RUNNER_SEALING_KEY fail', '/x/.trellis/secrets.env warn',
    ]);
  });
});

describe('connection failures', () => {
  it.each([
    ['broker', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5672'), { code: 'ECONNREFUSED' }), 'connection refused at 127.0.0.1:5672', /is RabbitMQ running\?/],
    ['database', new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], ''), 'connection refused at 127.0.0.1:5672', /is PostgreSQL running\?/],
    ['database', Object.assign(new Error('password authentication failed for user "t_studio"'), { code: '28P01' }), '127.0.0.1:5672 refused role t_studio: password authentication failed for user "t_studio"', /trellis-adm provision/],
    ['database', Object.assign(new Error('database "t_studio" does not exist'), { code: '3D000' }), 'database t_studio does not exist on 127.0.0.1:5672', /provision/],
    ['broker', new Error('Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused"'), '127.0.0.1:5672 refused broker user t_studio', /provision/],
  ] as const)('%s: %s', (server, error, detail, hint) => {
    const explained = explainConnectionError(server, error, '127.0.0.1:5672', 't_studio');
    expect(explained.detail).toBe(detail);
    expect(explained.hint).toMatch(hint);
  });
});

describe('the disk', () => {
  it.each([[50, 'ok'], [5, 'warn'], [1, 'fail']])('%i percent free is %s', (percent, status) => {
    expect(judgeDisk({ path: '/d', freeBytes: percent * 1024 ** 3, totalBytes: 100 * 1024 ** 3 }).status).toBe(status);
  });
});

describe('the platform', () => {
  const child = (over: Partial<ChildState>): ChildState => ({
    status: 'up', pid: 1, pidStartTime: null, command: 'node', restarts: 0, ready: true, startedAt: null, lastExit: null, lastError: null, lastOutput: null, health: null, log: '', ...over,
  });
  const state = (children: Record<string, ChildState>): SupervisorState => ({ pid: 42, pidStartTime: null, status: 'running', startedAt: ago(5 * MIN).toISOString(), updatedAt: now.toISOString(), meta: {}, children });

  it('stopped only warns', () => {
    expect(judgePlatform(undefined, now)).toMatchObject({ status: 'warn', detail: 'not running: no service consumes, publishes, runs or builds' });
  });
  it('with every process up is ok', () => {
    expect(judgePlatform(state({ runner: child({}), studio: child({}) }), now).detail).toBe('running (pid 42, up 5 min), all 2 processes up');
  });
  it('with a process that does not stay up fails, naming it and its last error', () => {
    const check = judgePlatform(state({ studio: child({}), runner: child({ status: 'backoff', restarts: 3, lastError: 'exit 1' }) }), now);
    expect(check).toMatchObject({ status: 'fail', detail: 'not up: runner backoff after 3 restarts (exit 1)', hint: '`trellis-adm logs runner` says why' });
  });
});
