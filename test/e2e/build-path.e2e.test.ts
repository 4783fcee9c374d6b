// The build path across the real services (their built main.js), as issue 9 states it: a git
// repository with a Node action with an npm dependency, a Python action with a requirements.txt
// dependency (from a package index the test makes), a trigger, a Ryax action and two broken
// ones; a scan finds the valid ones and locates each problem; every action is built by the
// action builder and reaches studio's library with its digest; the same commit built again
// gives the same digests; one changed file makes exactly its action "changed".
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './harness.js';
import { ADMIN_PASSWORD, startPlatform, type Platform } from './platform.js';
import { nodeAction, pythonAction } from '../../services/action-builder/test/fixtures/actions.js';
import { packNpmPackage, startFakeRegistry, type FakeRegistry } from '../../services/action-builder/test/fixtures/npm-registry.js';
import { makePythonIndex } from '../../services/action-builder/test/fixtures/python-index.js';
import { makeTestRepository, RYAX_ACTION, SYNTAX_ERROR, UNKNOWN_FIELD, type TestRepository } from '../../services/repository/test/git-fixtures.js';

let platform: Platform;
let repo: TestRepository;
let registry: FakeRegistry;
let scratch: string;
let token: string;

type Answer = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

async function call(service: 'authorization' | 'repository' | 'action-builder' | 'studio', route: string, options: { method?: string; body?: unknown; bearer?: string } = {}): Promise<Answer> {
  const prefix = { authorization: '/authorization', repository: '/repository', 'action-builder': '/builder', studio: '/studio' }[service];
  const bearer = options.bearer ?? token;
  const response = await fetch(`${platform.running[service].url}${prefix}${route}`, {
    method: options.method ?? 'GET',
    headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const prefixed = (folder: string, files: Readonly<Record<string, string>>) => Object.fromEntries(Object.entries(files).map(([name, content]) => [`${folder}/${name}`, content]));

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'trellis-build-path-'));
  registry = await startFakeRegistry({ 'left-shout': { version: '1.0.0', tarball: await packNpmPackage(scratch, 'left-shout', '1.0.0') } });
  const { indexUrl } = await makePythonIndex(path.join(scratch, 'pypi'), [{ name: 'pyshout', version: '1.0.0' }]);
  platform = await startPlatform({
    overrides: (name): Record<string, string> => (name === 'action-builder' ? { TRELLIS_NPM_REGISTRY: registry.url, TRELLIS_PIP_INDEX_URL: indexUrl, TRELLIS_BUILD_PARALLELISM: '2' } : {}),
  });
  repo = await makeTestRepository();
  await repo.copyExample('echo', 'actions/echo');
  await repo.copyExample('ticker', 'actions/ticker');
  await repo.commit({
    ...prefixed('actions/node-shout', nodeAction('left-shout')),
    ...prefixed('actions/py-shout', pythonAction('pyshout')),
    ...prefixed('actions/count', RYAX_ACTION),
    ...prefixed('broken/field', UNKNOWN_FIELD),
    ...prefixed('broken/syntax', SYNTAX_ERROR),
  });
  const admin = (await call('authorization', '/login', { method: 'POST', body: { username: 'admin', password: ADMIN_PASSWORD }, bearer: '' })).body.access_token as string;
  const project = (await call('authorization', '/projects', { method: 'POST', body: { name: 'build-path' }, bearer: admin })).body.id as string;
  token = (await call('authorization', '/login', { method: 'POST', body: { username: 'admin', password: ADMIN_PASSWORD, project_id: project }, bearer: '' })).body.access_token;
  for (const service of ['repository', 'action-builder', 'studio'] as const) await eventually(() => call(service, '/project'), (answer) => answer.status === 200);
}, 240_000);

afterAll(async () => {
  await platform?.stop();
  await repo?.close();
  await registry?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function scanned(sourceId: string) {
  const requested = await call('repository', `/sources/${sourceId}/scan`, { method: 'POST' });
  expect(requested.status).toBe(202);
  return (await eventually(() => call('repository', `/sources/${sourceId}/scans/${requested.body.id}`), (a) => ['done', 'failed'].includes(a.body.status), 90_000)).body;
}

type BuiltAction = { id: string; version: string; change: string; build: { id: string; status: string; digest?: string } | null };

async function builtAll(sourceId: string, since: Set<string>): Promise<BuiltAction[]> {
  expect((await call('repository', `/sources/${sourceId}/build`, { method: 'POST' })).status).toBe(202);
  const finished = await eventually(
    () => call('repository', `/sources/${sourceId}`),
    (a) => a.body.last_scan.actions.every((action: BuiltAction) => action.build && !since.has(action.build.id) && ['built', 'failed', 'canceled'].includes(action.build.status)),
    400_000,
  );
  return finished.body.last_scan.actions as BuiltAction[];
}

const VALID = ['echo', 'node-shout', 'py-shout', 'ryax-count', 'ticker'];

describe('from a git URL to built actions in the library', () => {
  let sourceId = '';
  const firstDigests: Record<string, string> = {};

  it('scans: finds every valid action and locates each problem', async () => {
    sourceId = (await call('repository', '/sources', { method: 'POST', body: { name: 'actions', url: repo.fileUrl } })).body.id;
    const scan = await scanned(sourceId);
    expect(scan.status).toBe('done');
    expect(scan.actions.map((a: BuiltAction) => a.id).sort()).toEqual(VALID);
    const problems = scan.problems.map((p: { file: string; line: number; code: string }) => `${p.file}:${p.line} ${p.code}`);
    expect(problems).toContain('broken/field/trellis.yaml:5 unknown_field');
    expect(problems.some((p: string) => p.startsWith('broken/syntax/handler.py:2 '))).toBe(true);
  }, 120_000);

  it('builds every valid action, each reaching the library with its digest', async () => {
    const actions = await builtAll(sourceId, new Set());
    for (const action of actions) {
      expect(action.build, `${action.id}: ${JSON.stringify(action.build)}`).toMatchObject({ status: 'built', digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
      firstDigests[action.id] = action.build?.digest ?? '';
      const library = await eventually(() => call('studio', `/actions/${action.id}/versions/${action.version}`), (a) => a.status === 200, 30_000);
      expect(library.body).toMatchObject({ id: action.id, version: action.version, digest: action.build?.digest });
    }
    expect(Object.keys(firstDigests).sort()).toEqual(VALID);
  }, 450_000);

  it('gives the same digests when the same commit is built again', async () => {
    const before = new Set(Object.values((await call('repository', `/sources/${sourceId}`)).body.last_scan.actions.map((a: BuiltAction) => a.build?.id)) as string[]);
    const again = await builtAll(sourceId, before);
    expect(Object.fromEntries(again.map((a) => [a.id, a.build?.digest]))).toEqual(firstDigests);
  }, 450_000);

  it('marks exactly the action whose file changed as changed on the next scan', async () => {
    await repo.commit({ 'actions/echo/handler.js': 'export async function handle(inputs) {\n  return { text: `${inputs.text}!` };\n}\n' }, 'echo shouts');
    const scan = await scanned(sourceId);
    expect(Object.fromEntries(scan.actions.map((a: BuiltAction) => [a.id, a.change]))).toEqual({
      echo: 'changed', 'node-shout': 'unchanged', 'py-shout': 'unchanged', 'ryax-count': 'unchanged', ticker: 'unchanged',
    });
  }, 120_000);
});
