import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@trellis/platform/testing/eventually';
import { makeTestRepository, type TestRepository } from './git-fixtures.js';
import { finishedScan, scanOnce, useRepository } from './support.js';

const LIMITS = { TRELLIS_SCAN_MAX_FILES: '30', TRELLIS_SCAN_MAX_REPOSITORY_BYTES: '200000', TRELLIS_SCAN_TIMEOUT_MS: '4000', TRELLIS_SCAN_LEASE_MS: '1500', TRELLIS_SCAN_POLL_MS: '300' };
const service = useRepository(LIMITS);
let project: Awaited<ReturnType<typeof service.project>>;
let token: string;
let small: TestRepository;

/** A server that accepts connections and never answers: a clone from it hangs until stopped. */
let stalling: { server: Server; sockets: Set<Socket>; closed: number; url: string };

beforeAll(async () => {
  project = await service.project();
  token = await project.token('developer');
  small = await makeTestRepository();
  await small.copyExample('echo', 'echo');
  await small.commit({});
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.resume(); // reads, so that the client going away is seen
    socket.on('close', () => {
      sockets.delete(socket);
      stalling.closed += 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  stalling = { server, sockets, closed: 0, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/stuck.git` };
});
afterAll(async () => {
  for (const socket of stalling?.sockets ?? []) socket.destroy();
  await new Promise((resolve) => stalling?.server.close(resolve));
  await small?.close();
});

async function source(body: Record<string, unknown>): Promise<string> {
  const created = await service.call('POST', '/sources', { token, body: { name: `s-${randomUUID().slice(0, 8)}`, ...body } });
  expect(created.status, created.text).toBe(201);
  return created.body.id;
}

describe('a clone that fails says why, in plain words', () => {
  it.each([
    ['a branch that does not exist', () => ({ url: small.fileUrl, branch: 'no-such-branch' }), 'branch_missing', 'The branch "no-such-branch" does not exist in the repository.'],
    ['a folder that is not a repository', () => ({ url: 'file:///nonexistent/repository.git' }), 'repository_not_found', 'There is no git repository at this URL (or the credentials of this source cannot see it).'],
    ['a host that refuses the connection', () => ({ url: 'http://127.0.0.1:1/actions.git' }), 'host_unreachable', 'Cannot reach 127.0.0.1:1: it refused the connection.'],
  ])('%s', async (_, body, code, message) => {
    const scan = await scanOnce(service, token, await source(body()));
    expect(scan).toMatchObject({ status: 'failed', error: { code, message }, commit: null, actions: [], problems: [] });
  });

  it('names the default branch it cloned when the source names none', async () => {
    const other = await makeTestRepository({ branch: 'trunk' });
    try {
      await other.copyExample('echo', 'echo');
      await other.commit({});
      expect(await scanOnce(service, token, await source({ url: other.fileUrl }))).toMatchObject({ status: 'done', branch: 'trunk' });
    } finally {
      await other.close();
    }
  });
});

describe('the limits of a scan', () => {
  it('refuses a repository with too many files', async () => {
    const many = await makeTestRepository();
    try {
      await many.commit(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`file-${i}.txt`, `${i}\n`])));
      expect((await scanOnce(service, token, await source({ url: many.fileUrl }))).error).toEqual({
        code: 'too_many_files', message: 'The repository holds more than 30 files, the limit of this instance.',
      });
    } finally {
      await many.close();
    }
  });

  it('refuses a repository that is too large', async () => {
    const large = await makeTestRepository();
    try {
      await large.commit({ 'blob.bin': randomBytes(300_000).toString('base64') });
      const scan = await scanOnce(service, token, await source({ url: large.fileUrl }));
      expect(scan.error).toEqual({ code: 'too_large', message: 'The repository is larger than 200000 bytes, the limit of this instance.' });
    } finally {
      await large.close();
    }
  });

  it('stops a clone that takes too long', async () => {
    const closedBefore = stalling.closed;
    const started = Date.now();
    const scan = await scanOnce(service, token, await source({ url: stalling.url }));
    expect(scan.error).toEqual({ code: 'timed_out', message: 'Cloning took longer than 4 s, the limit of this instance.' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
    await eventually(async () => stalling.closed, (closed) => closed > closedBefore);
  });
});

describe('a scan as a durable job', () => {
  it('is canceled while it runs: its clone stops and nothing it found is kept', async () => {
    const sourceId = await source({ url: stalling.url });
    const requested = await service.call('POST', `/sources/${sourceId}/scan`, { token });
    await eventually(() => service.call('GET', `/sources/${sourceId}/scans/${requested.body.id}`, { token }), (a) => a.body.status === 'running');
    await eventually(async () => stalling.sockets.size, (open) => open > 0);
    const closedBefore = stalling.closed;
    const canceled = await service.call('POST', `/sources/${sourceId}/scans/${requested.body.id}/cancel`, { token });
    expect(canceled.body.status).toBe('canceled');
    await eventually(async () => stalling.closed, (closed) => closed > closedBefore, 2000);
    expect(await finishedScan(service, token, sourceId, requested.body.id)).toMatchObject({ status: 'canceled', error: null, actions: [] });
    const again = await service.call('POST', `/sources/${sourceId}/scans/${requested.body.id}/cancel`, { token });
    expect(again.status).toBe(200);
  });

  it('refuses to cancel a finished scan (409)', async () => {
    const sourceId = await source({ url: small.fileUrl });
    const scan = await scanOnce(service, token, sourceId);
    const answer = await service.call('POST', `/sources/${sourceId}/scans/${scan.id}/cancel`, { token });
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('scan_finished');
  });

  it('answers the waiting scan instead of queueing a second one', async () => {
    const sourceId = await source({ url: stalling.url });
    const first = await service.call('POST', `/sources/${sourceId}/scan`, { token });
    await eventually(() => service.call('GET', `/sources/${sourceId}/scans/${first.body.id}`, { token }), (a) => a.body.status === 'running');
    const second = await service.call('POST', `/sources/${sourceId}/scan`, { token });
    const third = await service.call('POST', `/sources/${sourceId}/scan`, { token });
    expect(second.body.id).not.toBe(first.body.id);
    expect(third.body.id).toBe(second.body.id);
    for (const id of [first.body.id, second.body.id]) await service.call('POST', `/sources/${sourceId}/scans/${id}/cancel`, { token });
  });

  it('is taken again when its worker died (its lease ran out), and counts the attempt', async () => {
    const sourceId = await source({ url: small.fileUrl });
    const id = randomUUID();
    await service.database.db.insertInto('scans').values({
      id, project_id: project.id, source_id: sourceId, status: 'running', requested_by: 'test', requested_at: new Date(), started_at: new Date(),
      finished_at: null, attempt: 1, lease_owner: 'a-worker-that-died', lease_expires_at: new Date(Date.now() - 1000),
      commit_sha: null, branch: null, failure_code: null, failure_message: null, removed_actions: '[]',
    }).execute();
    expect(await finishedScan(service, token, sourceId, id)).toMatchObject({ status: 'done', attempt: 2, commit: await small.git('rev-parse', 'HEAD') });
  });

  it('gives up a scan interrupted too often, saying so', async () => {
    const sourceId = await source({ url: small.fileUrl });
    const id = randomUUID();
    await service.database.db.insertInto('scans').values({
      id, project_id: project.id, source_id: sourceId, status: 'running', requested_by: 'test', requested_at: new Date(), started_at: new Date(),
      finished_at: null, attempt: 3, lease_owner: 'a-worker-that-died', lease_expires_at: new Date(Date.now() - 1000),
      commit_sha: null, branch: null, failure_code: null, failure_message: null, removed_actions: '[]',
    }).execute();
    expect((await finishedScan(service, token, sourceId, id)).error).toEqual({
      code: 'interrupted', message: 'The scan was interrupted 3 times (the service stopped while it ran); request a new scan.',
    });
  });
});
