import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@trellis/platform/config';
import { makeLogger } from '@trellis/platform/logger';
import { eventually } from '@trellis/platform/testing/eventually';
import { envSchema } from '../src/infrastructure/config.js';
import { startRepository, type RunningRepository } from '../src/infrastructure/start-repository.js';
import { makeTestRepository, type TestRepository } from './git-fixtures.js';
import { startGitHttpServer, type GitHttpServer } from './git-http-server.js';
import { useRepository } from './support.js';

const service = useRepository({ TRELLIS_SCAN_POLL_MS: '5000', TRELLIS_SCAN_LEASE_MS: '3000' });
let repo: TestRepository;
let server: GitHttpServer;
let stalling = true;
let replica: RunningRepository | undefined;

beforeAll(async () => {
  repo = await makeTestRepository();
  await repo.copyExample('echo', 'echo');
  await repo.commit({});
  server = await startGitHttpServer({ root: path.dirname(repo.bare), username: 'ada', password: 'pw-restart', stall: () => stalling });
});
afterAll(async () => {
  await replica?.stop();
  await server?.close();
  await repo?.close();
});

describe('a scan running when its service stops', () => {
  it('is given back at once and finished by another replica (or the restarted service), the attempt not counted', async () => {
    const project = await service.project();
    const token = await project.token('developer');
    const sourceId = (await service.call('POST', '/sources', { token, body: { name: 'actions', url: server.url(path.basename(repo.bare)), username: 'ada', password: 'pw-restart' } })).body.id;
    const scanId = (await service.call('POST', `/sources/${sourceId}/scan`, { token })).body.id;
    await eventually(() => service.call('GET', `/sources/${sourceId}/scans/${scanId}`, { token }), (a) => a.body.status === 'running' && a.body.attempt === 1);

    replica = await startRepository(loadConfig(envSchema, service.fullEnv()), { version: 'test', logger: makeLogger({ service: 'repository', silent: true }) });
    stalling = false;
    const stopped = Date.now();
    await service.running.stop();
    // The replica polls only every 5 s and the lease lasts 3 s: finishing sooner means the stop gave the scan back and woke it.
    const scan = await eventually(async () => {
      const row = await service.database.db.selectFrom('scans').select(['status', 'attempt', 'commit_sha']).where('id', '=', scanId).executeTakeFirst();
      return row ?? { status: 'missing', attempt: 0, commit_sha: null };
    }, (row) => row.status === 'done', 20_000);
    expect(Date.now() - stopped).toBeLessThan(3000);
    expect(scan).toEqual({ status: 'done', attempt: 1, commit_sha: await repo.git('rev-parse', 'HEAD') });
    expect((await fetch(`${replica.url}/sources/${sourceId}/scans/${scanId}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});
