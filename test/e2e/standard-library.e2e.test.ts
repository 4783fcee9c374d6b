// The standard library through the gateway (issue 19): a platform whose repository service is
// given TRELLIS_STANDARD_LIBRARY_URL, the repository written by trellis-adm's own code from the
// REAL actions/ folder, shows a project's standard actions in its library (category standard),
// built by the normal builder (npm ci per action from the folder's own package-lock.json), with no
// one asking for a scan or a build. Actions are restricted to those the scan finds valid.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trellisVersion } from '../../adm/src/backup/version.js';
import { materialiseStandardLibrary, type MaterialisedLibrary } from '../../adm/src/local/standard-library.js';
import { startBehindGateway, type Answer, type BehindGateway, type RequestOptions } from './behind-gateway.js';
import { eventually, ROOT } from './harness.js';
import { ADMIN_PASSWORD } from './platform.js';

/** Present in the library whenever their folders are (others are being written alongside). */
const MUST_BUILD = ['http-request', 'transform', 'hash'];
const BUILD_WITHIN_MS = 5 * 60_000;

/**
 * The harness gives a service only PATH; `make up` gives it the shell's environment. The builds
 * reach the npm registry, maybe through a proxy with a CA of its own: what the builder passes on.
 */
const NETWORK = Object.fromEntries(
  ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']
    .flatMap((name) => (process.env[name] ? [[name, process.env[name] as string]] : [])),
);

let env: BehindGateway;
let scratch: string;
let library: MaterialisedLibrary;
let admin: string;

const api = (method: string, route: string, options: RequestOptions = {}): Promise<Answer> => env.api(method, route, { ...options, token: options.token ?? admin });

type ScannedAction = { id: string; version: string; build: { status: string; reason: string | null } | null };

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'trellis-e2e-stdlib-'));
  const repository = path.join(scratch, 'standard-library.git');
  library = await materialiseStandardLibrary({ actionsDir: path.join(ROOT, 'actions'), repository, version: trellisVersion(ROOT) });
  env = await startBehindGateway({
    overrides: (name): Record<string, string> => (
      name === 'repository' ? { TRELLIS_STANDARD_LIBRARY_URL: pathToFileURL(repository).href, TRELLIS_GIT_ALLOW_FILE_URLS: 'false' }
        : name === 'action-builder' ? { ...NETWORK, TRELLIS_BUILD_PARALLELISM: '2' }
          : {}),
  });
  admin = (await api('POST', '/authorization/login', { token: '', json: { username: 'admin', password: ADMIN_PASSWORD } })).body.access_token;
  for (const service of ['repository', 'studio']) await eventually(() => api('GET', `/${service}/project`), (a) => a.status === 200);
}, 120_000);

afterAll(async () => {
  await env?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the standard library', () => {
  let sourceId: string;
  let actions: ScannedAction[];

  it('is in the project as a source managed by Trellis, scanned on its own at the library\'s commit', async () => {
    const sources = await eventually(() => api('GET', '/repository/sources'), (a) => a.status === 200 && a.body.items.length > 0);
    expect(sources.body.items).toEqual([expect.objectContaining({ name: 'standard', managed: true, created_by: 'trellis' })]);
    sourceId = sources.body.items[0].id;
    const source = await eventually(() => api('GET', `/repository/sources/${sourceId}`), (a) => ['done', 'failed'].includes(a.body.last_scan?.status), 90_000);
    expect(source.body.last_scan).toMatchObject({ status: 'done', commit: library.commit, requested_by: 'trellis' });
    if (source.body.last_scan.problems.length > 0) console.log('standard library scan problems:', JSON.stringify(source.body.last_scan.problems, null, 2));
    actions = source.body.last_scan.actions;
    for (const id of MUST_BUILD.filter((must) => library.actions.includes(must))) expect(actions.map((a) => a.id)).toContain(id);
  }, 120_000);

  it('builds every action of it with the normal builder, within five minutes, and studio\'s library lists them under standard', async () => {
    // A short view of each build, so a timeout says where each one stands (not the whole source).
    const builds = async () => ((await api('GET', `/repository/sources/${sourceId}`)).body.last_scan.actions as ScannedAction[])
      .map((action) => ({ id: action.id, version: action.version, status: action.build?.status ?? 'none', reason: action.build?.reason ?? null }));
    const ended = await eventually(builds, (all) => all.every((build) => ['built', 'failed', 'canceled'].includes(build.status)), BUILD_WITHIN_MS);
    const failed = ended.filter((build) => build.status !== 'built');
    for (const build of failed) console.log(`standard library: ${build.id} did not build: ${build.reason}`);
    expect(failed.map((build) => build.id)).toEqual([]);

    type LibraryItem = { id: string; version: string; digest: string; categories: string[] };
    const standardActions = async (): Promise<LibraryItem[]> => {
      const answer = await api('GET', '/studio/actions?category=standard&limit=200');
      return answer.status === 200 ? (answer.body.items as LibraryItem[]).map(({ id, version, digest, categories }) => ({ id, version, digest, categories })) : [];
    };
    const listed = await eventually(standardActions, (items) => ended.every((build) => items.some((item) => item.id === build.id)), 60_000);
    for (const build of ended) {
      const item = listed.find((i) => i.id === build.id);
      expect(item, build.id).toMatchObject({ version: build.version, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(item?.categories, build.id).toContain('standard');
    }
    for (const id of MUST_BUILD.filter((must) => library.actions.includes(must))) expect(listed.map((item) => item.id)).toContain(id);
  }, BUILD_WITHIN_MS + 90_000);

  it('cannot be changed or deleted, not even by the admin (409 managed_source)', async () => {
    const patched = await api('PATCH', `/repository/sources/${sourceId}`, { json: { branch: 'dev' } });
    expect(patched.status).toBe(409);
    expect(patched.body.code).toBe('managed_source');
    const deleted = await api('DELETE', `/repository/sources/${sourceId}`);
    expect(deleted.status).toBe(409);
    expect(deleted.body.code).toBe('managed_source');
  });
});
