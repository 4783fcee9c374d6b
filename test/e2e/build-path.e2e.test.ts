// The build path across the real services (their built main.js): a git source in the
// repository, its scan, a build of every action by the action builder, each build's status
// followed by the repository and the built versions in studio's library.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './harness.js';
import { ADMIN_PASSWORD, startPlatform, type Platform } from './platform.js';
import { makeTestRepository, RYAX_ACTION, type TestRepository } from '../../services/repository/test/git-fixtures.js';

let platform: Platform;
let repo: TestRepository;
let token: string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(service: 'authorization' | 'repository' | 'action-builder' | 'studio', path: string, options: { method?: string; body?: unknown; bearer?: string } = {}): Promise<{ status: number; body: any }> {
  const prefix = { authorization: '/authorization', repository: '/repository', 'action-builder': '/builder', studio: '/studio' }[service];
  const response = await fetch(`${platform.running[service].url}${prefix}${path}`, {
    method: options.method ?? 'GET',
    headers: { ...(options.bearer ?? token ? { authorization: `Bearer ${options.bearer ?? token}` } : {}), ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  platform = await startPlatform();
  repo = await makeTestRepository();
  await repo.copyExample('echo', 'actions/echo');
  await repo.commit(Object.fromEntries(Object.entries(RYAX_ACTION).map(([name, content]) => [`actions/count/${name}`, content])));
  const admin = (await call('authorization', '/login', { method: 'POST', body: { username: 'admin', password: ADMIN_PASSWORD }, bearer: '' })).body.access_token as string;
  const project = (await call('authorization', '/projects', { method: 'POST', body: { name: 'build-path' }, bearer: admin })).body.id as string;
  token = (await call('authorization', '/login', { method: 'POST', body: { username: 'admin', password: ADMIN_PASSWORD, project_id: project }, bearer: '' })).body.access_token;
  for (const service of ['repository', 'action-builder', 'studio'] as const) await eventually(() => call(service, '/project'), (answer) => answer.status === 200);
}, 180_000);

afterAll(async () => {
  await platform?.stop();
  await repo?.close();
});

describe('from a git URL to built actions in the library', () => {
  it('scans, builds every action, follows each build to built and finds the versions in studio', async () => {
    const source = (await call('repository', '/sources', { method: 'POST', body: { name: 'actions', url: repo.fileUrl } })).body;
    const requested = await call('repository', `/sources/${source.id}/scan`, { method: 'POST' });
    expect(requested.status).toBe(202);
    const scan = (await eventually(() => call('repository', `/sources/${source.id}/scans/${requested.body.id}`), (a) => a.body.status === 'done', 60_000)).body;
    expect(scan.actions.map((a: { id: string }) => a.id).sort()).toEqual(['echo', 'ryax-count']);

    const built = await call('repository', `/sources/${source.id}/build`, { method: 'POST' });
    expect(built.status).toBe(202);
    const finished = await eventually(
      () => call('repository', `/sources/${source.id}`),
      (a) => a.body.last_scan.actions.every((action: { build: { status: string } | null }) => ['built', 'failed', 'canceled'].includes(action.build?.status ?? '')),
      240_000,
    );
    for (const action of finished.body.last_scan.actions) {
      expect(action.build, JSON.stringify(action.build)).toMatchObject({ status: 'built', digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
      const build = await call('action-builder', `/builds/${action.build.id}`);
      expect(build.status).toBe(200);
    }
    for (const action of finished.body.last_scan.actions) {
      const library = await eventually(() => call('studio', `/actions/${action.id}/versions/${action.version}`), (a) => a.status === 200, 30_000);
      expect(library.body).toMatchObject({ id: action.id, version: action.version, digest: action.build.digest });
    }
  }, 300_000);
});
