import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestRepository, type TestRepository } from './git-fixtures.js';
import { scanOnce, useRepository } from './support.js';

const service = useRepository();
let repo: TestRepository;
let projectA: Awaited<ReturnType<typeof service.project>>;
let projectB: Awaited<ReturnType<typeof service.project>>;
let sourceId: string;
let scanId: string;

beforeAll(async () => {
  repo = await makeTestRepository();
  await repo.copyExample('echo', 'echo');
  await repo.commit({});
  [projectA, projectB] = [await service.project(), await service.project()];
  const token = await projectA.token('developer');
  sourceId = (await service.call('POST', '/sources', { token, body: { name: 'actions', url: repo.fileUrl } })).body.id;
  scanId = (await scanOnce(service, token, sourceId)).id;
});
afterAll(() => repo?.close());

/** Every route that names a source of project A, with a body that would be accepted. */
const routes = () => [
  { method: 'GET', path: `/sources/${sourceId}` },
  { method: 'PATCH', path: `/sources/${sourceId}`, body: { name: 'renamed' } },
  { method: 'DELETE', path: `/sources/${sourceId}` },
  { method: 'POST', path: `/sources/${sourceId}/scan` },
  { method: 'GET', path: `/sources/${sourceId}/scans` },
  { method: 'GET', path: `/sources/${sourceId}/scans/${scanId}` },
  { method: 'POST', path: `/sources/${sourceId}/scans/${scanId}/cancel` },
  { method: 'POST', path: `/sources/${sourceId}/build`, body: { actions: ['echo'] } },
];

describe('another project', () => {
  it('gets 404 on every route with a source of project A, even as its owner, and A\'s source stays untouched', async () => {
    const outsider = await projectB.token('owner');
    for (const route of routes()) {
      const answer = await service.call(route.method, route.path, { token: outsider, ...(route.body ? { body: route.body } : {}) });
      expect(answer.status, `${route.method} ${route.path}`).toBe(404);
      expect(answer.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(answer.text).not.toContain('actions');
    }
    const list = await service.call('GET', '/sources', { token: outsider });
    expect(list.body).toEqual({ items: [], next: null });
    const mine = await service.call('GET', `/sources/${sourceId}`, { token: await projectA.token('viewer') });
    expect(mine.body).toMatchObject({ name: 'actions', last_scan: { id: scanId } });
  });

  it('gets 404 for a project the repository has not heard of yet', async () => {
    const stranger = await service.jwks.sign({ projectId: randomUUID(), role: 'owner' });
    const answer = await service.call('POST', '/sources', { token: stranger, body: { name: 'x1', url: repo.fileUrl } });
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('project_not_found');
  });
});

describe('roles', () => {
  it('let a viewer read but not create, change, delete, scan, cancel or build (403)', async () => {
    const viewer = await projectA.token('viewer');
    for (const route of routes().filter((r) => r.method === 'GET')) expect((await service.call(route.method, route.path, { token: viewer })).status).toBe(200);
    const writes = [{ method: 'POST', path: '/sources', body: { name: 'x1', url: repo.fileUrl } }, ...routes().filter((r) => r.method !== 'GET')];
    for (const route of writes) {
      const answer = await service.call(route.method, route.path, { token: viewer, ...(route.body ? { body: route.body } : {}) });
      expect(answer.status, `${route.method} ${route.path}`).toBe(403);
      expect(answer.body.code).toBe('forbidden');
    }
    const operator = await projectA.token('operator');
    expect((await service.call('POST', `/sources/${sourceId}/scan`, { token: operator })).status).toBe(403);
  });

  it('refuse a caller without a credential (401)', async () => {
    expect((await service.call('GET', '/sources')).status).toBe(401);
  });
});

describe('bad requests', () => {
  let token: string;
  beforeAll(async () => {
    token = await projectA.token('developer');
  });

  it.each([
    ['an SSH URL', { name: 'ssh-one', url: 'git@github.com:team/actions.git' }, 'invalid_source_url', /SSH address/],
    ['a git:// URL', { name: 'git-one', url: 'git://example.com/a.git' }, 'invalid_source_url', /scheme "git"/],
    ['credentials in the URL', { name: 'cred-url', url: 'https://ada:secret@example.com/a.git' }, 'invalid_source_url', /holds credentials/],
    ['a name with capitals and spaces', { name: 'My Actions', url: 'https://example.com/a.git' }, 'invalid_source_name', /lowercase/],
    ['a bad branch', { name: 'bad-branch', url: 'https://example.com/a.git', branch: 'a..b' }, 'invalid_branch', /\.\./],
    ['a username without a password', { name: 'half', url: 'https://example.com/a.git', username: 'ada' }, 'credentials_incomplete', /password/],
    ['credentials on a file:// URL', { name: 'local', url: 'file:///srv/git/a', password: 'x' }, 'credentials_not_applicable', /file:\/\//],
    ['an unknown field', { name: 'extra', url: 'https://example.com/a.git', token: 'x' }, 'invalid_request', /body/],
    ['a missing URL', { name: 'no-url' }, 'invalid_request', /body/],
    ['a username with a colon', { name: 'colon', url: 'https://example.com/a.git', username: 'a:b', password: 'x' }, 'invalid_request', /body/],
  ])('refuses %s with a reason', async (_, body, code, detail) => {
    const answer = await service.call('POST', '/sources', { token, body });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(answer.body.code).toBe(code);
    expect(`${answer.body.detail} ${JSON.stringify(answer.body.errors ?? [])}`).toMatch(detail);
  });

  it('refuses a taken name (409), a huge body (413), a body that is not JSON (400), a bad id (400)', async () => {
    expect((await service.call('POST', '/sources', { token, body: { name: 'actions', url: repo.fileUrl } })).body.code).toBe('source_name_taken');
    const huge = await service.call('POST', '/sources', { token, body: { name: 'huge', url: `https://example.com/${'a'.repeat(2 * 1024 * 1024)}` } });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe('payload_too_large');
    const malformed = await service.call('POST', '/sources', { token, rawBody: '{"name": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('malformed_body');
    expect((await service.call('GET', '/sources/not-a-uuid', { token })).status).toBe(400);
    expect((await service.call('POST', `/sources/${sourceId}/build`, { token, body: { actions: 'echo' } })).status).toBe(400);
  });
});

describe('the OpenAPI document', () => {
  it('lists every route with its access', async () => {
    const document = (await service.call('GET', '/openapi.json')).body;
    const operations = Object.values(document.paths as Record<string, Record<string, { operationId: string; 'x-trellis-access': unknown }>>)
      .flatMap((methods) => Object.values(methods)).filter((operation) => operation.operationId.startsWith('repository'))
      .map((operation) => [operation.operationId, JSON.stringify(operation['x-trellis-access'])]);
    expect(Object.fromEntries(operations)).toMatchObject({
      repositoryListSources: expect.stringContaining('viewer'), repositoryGetSource: expect.stringContaining('viewer'),
      repositoryCreateSource: expect.stringContaining('developer'), repositoryUpdateSource: expect.stringContaining('developer'),
      repositoryDeleteSource: expect.stringContaining('developer'), repositoryScanSource: expect.stringContaining('developer'),
      repositoryListScans: expect.stringContaining('viewer'), repositoryGetScan: expect.stringContaining('viewer'),
      repositoryCancelScan: expect.stringContaining('developer'), repositoryBuildSource: expect.stringContaining('developer'),
    });
  });
});
