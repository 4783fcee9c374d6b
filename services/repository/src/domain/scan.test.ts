import { describe, expect, it } from 'vitest';
import * as Scan from './scan.js';

const now = new Date('2025-01-01T00:00:00Z');
const input = { id: 'scan-2', projectId: 'p1', sourceId: 's1', requestedBy: 'u1', now };
const queued = Scan.request({ ...input, id: 'scan-1' }, undefined).scan;

describe('requesting a scan', () => {
  it('queues a new scan', () => {
    expect(queued).toMatchObject({ id: 'scan-1', status: 'queued', attempt: 0, commit: null, failure: null });
  });

  it.each([
    ['queued', false, 'scan-1'],
    ['running', true, 'scan-2'],
    ['done', true, 'scan-2'],
    ['failed', true, 'scan-2'],
  ] as const)('while the last scan is %s: queued again %s', (status, queuedAgain, id) => {
    const result = Scan.request(input, { ...queued, status });
    expect(result.queued).toBe(queuedAgain);
    expect(result.scan.id).toBe(id);
  });
});

describe('canceling a scan', () => {
  it.each(['queued', 'running'] as const)('cancels a %s scan', (status) => {
    expect(Scan.cancel({ ...queued, status }, now)).toMatchObject({ ok: true, value: { status: 'canceled', finishedAt: now } });
  });
  it('is harmless twice', () => {
    expect(Scan.cancel({ ...queued, status: 'canceled' }, now).ok).toBe(true);
  });
  it.each(['done', 'failed'] as const)('refuses a %s scan', (status) => {
    expect(Scan.cancel({ ...queued, status }, now)).toEqual({ ok: false, error: { type: 'ScanNotCancelable', status } });
  });
});

describe('a scan that ends', () => {
  it('records its commit and branch when done', () => {
    expect(Scan.complete({ ...queued, status: 'running' }, { commit: 'abc', branch: 'main' }, now)).toMatchObject({ status: 'done', commit: 'abc', branch: 'main', finishedAt: now });
  });

  it.each<[Scan.ScanFailure, RegExp]>([
    [{ code: 'auth_required' }, /asks for credentials/],
    [{ code: 'auth_refused' }, /refused the credentials/],
    [{ code: 'branch_missing', branch: 'dev' }, /branch "dev" does not exist/],
    [{ code: 'repository_not_found' }, /no git repository at this URL/],
    [{ code: 'empty_repository' }, /no commit yet/],
    [{ code: 'host_unreachable', host: 'git.example.com', cause: 'name' }, /Cannot reach git\.example\.com: its name does not resolve/],
    [{ code: 'host_unreachable', host: '127.0.0.1:9', cause: 'refused' }, /refused the connection/],
    [{ code: 'tls_error', host: 'git.example.com' }, /TLS certificate/],
    [{ code: 'too_large', limitBytes: 256 * 1024 * 1024 }, /larger than 256 MiB/],
    [{ code: 'too_large', limitBytes: 1000 }, /larger than 1000 bytes/],
    [{ code: 'too_many_files', limit: 20000 }, /more than 20000 files/],
    [{ code: 'timed_out', limitMs: 120_000 }, /longer than 120 s/],
    [{ code: 'clone_failed' }, /could not clone/],
    [{ code: 'credentials_unreadable' }, /cannot be opened/],
    [{ code: 'interrupted', attempts: 3 }, /interrupted 3 times/],
    [{ code: 'internal_error' }, /error of the platform/],
  ])('says why it failed: %j', (failure, message) => {
    const failed = Scan.fail({ ...queued, status: 'running' }, failure, now);
    expect(failed.status).toBe('failed');
    expect(failed.failure?.code).toBe(failure.code);
    expect(failed.failure?.message).toMatch(message);
  });

  it('is exhausted once taken more often than the maximum', () => {
    expect(Scan.exhausted({ ...queued, attempt: Scan.MAX_ATTEMPTS })).toBe(false);
    expect(Scan.exhausted({ ...queued, attempt: Scan.MAX_ATTEMPTS + 1 })).toBe(true);
  });
});
