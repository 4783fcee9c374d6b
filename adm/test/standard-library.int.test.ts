// The standard library's repository as `trellis-adm up` writes it (issue 19): one commit made from
// the content alone, read back with the system's git as the repository service reads it.
import { execFile } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, portEnvOf } from '../src/catalog.js';
import { serviceEnv } from '../src/local/service-env.js';
import { localSettingsFromEnv } from '../src/local/settings.js';
import { materialiseStandardLibrary, standardLibraryLocation, writeStandardLibrary } from '../src/local/standard-library.js';
import { stopSupervisor } from '../src/local/supervisor-control.js';
import { repoRoot } from '../src/paths.js';
import { dropInstanceResources, findInstanceResources } from '../src/provision/instance-resources.js';
import { postgresAdminFromEnv } from '../src/provision/postgres.js';
import { rabbitAdminFromEnv } from '../src/provision/rabbitmq.js';
import { eventually, freePort, testPrefix, testSecrets } from './fixtures.js';

const run = promisify(execFile);
const git = async (gitDir: string, ...args: string[]) =>
  (await run('git', [`--git-dir=${gitDir}`, ...args], { env: { PATH: process.env['PATH'] ?? '', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } })).stdout.trim();

let root: string;
let actions: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'trellis-stdlib-'));
  actions = join(root, 'actions');
  const files: Record<string, string> = {
    'shout/trellis.yaml': 'id: shout\nversion: 1.0.0\n',
    'shout/handler.js': 'export async function handle() { return {}; }\n',
    'shout/lib/words.js': 'export const words = [];\n',
    'shout/node_modules/dep/index.js': 'installed, never committed\n',
    'whisper/trellis.yaml': 'id: whisper\nversion: 1.0.0\n',
    'whisper/run.sh': '#!/bin/sh\n',
    'whisper/__pycache__/x.pyc': 'cache\n',
    'test/shout.test.ts': 'the tests are not actions\n',
    'notes/README.md': 'a folder without trellis.yaml\n',
  };
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(actions, name, '..'), { recursive: true });
    await writeFile(join(actions, name), content);
  }
  await chmod(join(actions, 'whisper/run.sh'), 0o755);
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('materialiseStandardLibrary', () => {
  it('commits only the action folders, without installed dependencies or caches, executable bits kept', async () => {
    const repository = join(root, 'one', 'standard-library.git');
    const library = await materialiseStandardLibrary({ actionsDir: actions, repository, version: '1.2.3' });
    expect(library).toMatchObject({ changed: true, actions: ['shout', 'whisper'] });
    expect((await git(repository, 'ls-tree', '-r', '--format=%(objectmode) %(path)', 'HEAD')).split('\n')).toEqual([
      '100644 shout/handler.js', '100644 shout/lib/words.js', '100644 shout/trellis.yaml', '100755 whisper/run.sh', '100644 whisper/trellis.yaml',
    ]);
    expect(await git(repository, 'log', '--format=%H|%P|%an <%ae>|%cn <%ce>|%aI|%cI|%s', 'main')).toBe(
      `${library.commit}||Trellis <trellis@localhost>|Trellis <trellis@localhost>|2000-01-01T00:00:00+00:00|2000-01-01T00:00:00+00:00|Trellis 1.2.3 standard library`,
    );
    expect(await git(repository, 'symbolic-ref', 'HEAD')).toBe('refs/heads/main');
  });

  it('gives the same commit for the same content and version, wherever it is written, and says nothing changed', async () => {
    const first = await materialiseStandardLibrary({ actionsDir: actions, repository: join(root, 'a', 'lib.git'), version: '1.2.3' });
    const again = await materialiseStandardLibrary({ actionsDir: actions, repository: join(root, 'a', 'lib.git'), version: '1.2.3' });
    expect(again).toEqual({ ...first, changed: false });
    const copy = join(root, 'copy');
    await cp(actions, copy, { recursive: true });
    const elsewhere = await materialiseStandardLibrary({ actionsDir: copy, repository: join(root, 'b', 'lib.git'), version: '1.2.3' });
    expect(elsewhere.commit).toBe(first.commit);
  });

  it('gives a new commit, the only one on its branch, when an action changes (a new Trellis), which git clones as the service does', async () => {
    const repository = join(root, 'c', 'lib.git');
    const before = await materialiseStandardLibrary({ actionsDir: actions, repository, version: '1.2.3' });
    const changed = join(root, 'changed');
    await cp(actions, changed, { recursive: true });
    await writeFile(join(changed, 'whisper/trellis.yaml'), 'id: whisper\nversion: 1.1.0\n');
    const after = await materialiseStandardLibrary({ actionsDir: changed, repository, version: '1.3.0' });
    expect(after).toMatchObject({ changed: true });
    expect(after.commit).not.toBe(before.commit);
    expect(await git(repository, 'rev-list', '--count', 'main')).toBe('1');
    const clone = join(root, 'clone');
    await run('git', ['clone', '--quiet', '--depth', '1', '--', pathToFileURL(repository).href, clone]);
    expect(await git(join(clone, '.git'), 'rev-parse', 'HEAD')).toBe(after.commit);
    expect(await git(join(clone, '.git'), 'show', 'HEAD:whisper/trellis.yaml')).toContain('version: 1.1.0');
  });

  it('writes the release\'s real actions/ folder: every folder with a trellis.yaml, never actions/test', async () => {
    const state = join(root, 'state');
    const settings = { ...localSettingsFromEnv({ TRELLIS_STATE_DIR: state }), root: repoRoot() };
    const library = await writeStandardLibrary(settings, '0.0.0-test');
    expect(library?.actions.length).toBeGreaterThan(0);
    const { repository } = standardLibraryLocation(state);
    const paths = (await git(repository, 'ls-tree', '-r', '--name-only', 'HEAD')).split('\n');
    for (const id of library?.actions ?? []) expect(paths).toContain(`${id}/trellis.yaml`);
    expect(paths.filter((path) => path.startsWith('test/') || path.includes('node_modules/'))).toEqual([]);
    // Named elsewhere (or off) by the operator: nothing is written.
    expect(await writeStandardLibrary({ ...settings, standardLibraryUrl: 'off' }, '0.0.0-test')).toBeUndefined();
  });
});

describe('the repository service\'s environment', () => {
  it('names the library `up` writes in the instance\'s state folder, or the operator\'s URL, or off; no other service gets it', () => {
    const repository = SERVICES.find((s) => s.name === 'repository');
    if (!repository) throw new Error('no repository service');
    const secrets = testSecrets();
    const byDefault = localSettingsFromEnv({ TRELLIS_STATE_DIR: '/srv/trellis/state' });
    expect(serviceEnv(byDefault, secrets, repository, undefined)['TRELLIS_STANDARD_LIBRARY_URL']).toBe('file:///srv/trellis/state/standard-library.git');
    const off = localSettingsFromEnv({ TRELLIS_STATE_DIR: '/srv/trellis/state', TRELLIS_STANDARD_LIBRARY_URL: 'off' });
    expect(serviceEnv(off, secrets, repository, undefined)['TRELLIS_STANDARD_LIBRARY_URL']).toBe('off');
    for (const other of SERVICES.filter((s) => s.name !== 'repository')) {
      expect(serviceEnv(byDefault, secrets, other, undefined)['TRELLIS_STANDARD_LIBRARY_URL'], other.name).toBeUndefined();
    }
  });
});

describe('trellis-adm up', () => {
  const name = testPrefix();
  const admins = { postgres: postgresAdminFromEnv(), rabbitmq: rabbitAdminFromEnv() };
  let stateDir = '';
  afterAll(async () => {
    if (!stateDir) return;
    await stopSupervisor(join(stateDir, 'state.json'), 30_000);
    await dropInstanceResources(admins, await findInstanceResources(admins, name));
    await rm(join(stateDir, '..'), { recursive: true, force: true });
  });

  it('writes the library from actions/ and the admin\'s project has it as a managed source, scanned at that commit', async () => {
    stateDir = join(await mkdtemp(join(tmpdir(), 'trellis-adm-stdlib-')), 'state');
    const ports: Record<string, string> = { TRELLIS_PORT: String(await freePort()), TRELLIS_S3_PORT: String(await freePort()) };
    for (const service of SERVICES) ports[portEnvOf(service.name)] = String(await freePort());
    const env: NodeJS.ProcessEnv = { ...process.env, TRELLIS_STATE_DIR: stateDir, TRELLIS_INSTANCE: name, ...ports };
    delete env['TRELLIS_STANDARD_LIBRARY_URL'];
    const cli = join(repoRoot(), 'adm', 'dist', 'cli.js');
    const up = await run(process.execPath, [cli, 'up'], { env, timeout: 180_000 });
    const { repository, url } = standardLibraryLocation(stateDir);
    const commit = await git(repository, 'rev-parse', 'main');
    expect(up.stdout + up.stderr).toContain(`standard library: `);
    expect(up.stdout + up.stderr).toContain(`(commit ${commit.slice(0, 12)}, new)`);
    expect((await run(process.execPath, [cli, 'env', 'repository'], { env })).stdout).toContain(`export TRELLIS_STANDARD_LIBRARY_URL='${url}'`);

    const gateway = `http://127.0.0.1:${ports['TRELLIS_PORT']}`;
    const password = (await run('cat', [join(stateDir, 'admin-password')])).stdout.trim();
    const login = await fetch(`${gateway}/authorization/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const source = await eventually(async () => {
      const sources = (await (await fetch(`${gateway}/repository/sources`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: Array<{ id: string; name: string; managed: boolean }> };
      const standard = sources.items.find((item) => item.name === 'standard');
      if (!standard) return undefined;
      const detail = (await (await fetch(`${gateway}/repository/sources/${standard.id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { managed: boolean; url: string; last_scan: { status: string; commit: string } | null };
      return detail.last_scan?.status === 'done' ? detail : undefined;
    }, 60_000, 'the standard library scanned');
    expect(source).toMatchObject({ managed: true, url, last_scan: { commit } });

    // A second up (nothing changed) keeps the commit.
    const again = await run(process.execPath, [cli, 'up'], { env, timeout: 180_000 });
    expect(again.stdout + again.stderr).toContain(`(commit ${commit.slice(0, 12)}, unchanged)`);
    await run(process.execPath, [cli, 'down'], { env, timeout: 60_000 });
  }, 300_000);
});
