// The standard library in a local instance (issue 19): `trellis-adm up` gives the repository
// service the release's actions/ folder (TRELLIS_STANDARD_LIBRARY_DIR), which the service commits
// into a repository in its work folder, in the instance's state folder; the operator's URL
// (TRELLIS_STANDARD_LIBRARY_URL, or `off`) replaces it.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVICES, portEnvOf } from '../src/catalog.js';
import { serviceEnv } from '../src/local/service-env.js';
import { localSettingsFromEnv } from '../src/local/settings.js';
import { stopSupervisor } from '../src/local/supervisor-control.js';
import { repoRoot } from '../src/paths.js';
import { dropInstanceResources, findInstanceResources } from '../src/provision/instance-resources.js';
import { postgresAdminFromEnv } from '../src/provision/postgres.js';
import { rabbitAdminFromEnv } from '../src/provision/rabbitmq.js';
import { eventually, freePort, testPrefix, testSecrets } from './fixtures.js';

const run = promisify(execFile);
const git = async (gitDir: string, ...args: string[]) =>
  (await run('git', [`--git-dir=${gitDir}`, ...args], { env: { PATH: process.env['PATH'] ?? '', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } })).stdout.trim();

describe('the repository service\'s environment', () => {
  it('gives the release\'s actions/ folder and a work folder in the instance\'s state, or the operator\'s URL, or off; no other service gets it', () => {
    const repository = SERVICES.find((s) => s.name === 'repository');
    if (!repository) throw new Error('no repository service');
    const secrets = testSecrets();
    const library = (env: NodeJS.ProcessEnv) => {
      const all = serviceEnv(localSettingsFromEnv({ TRELLIS_STATE_DIR: '/srv/trellis/state', ...env }), secrets, repository, undefined);
      return Object.fromEntries(Object.entries(all).filter(([name]) => /^TRELLIS_(STANDARD_LIBRARY_|SCAN_WORK_DIR)/.test(name)));
    };
    const work = { TRELLIS_SCAN_WORK_DIR: '/srv/trellis/state/repository' };
    expect(library({})).toEqual({ TRELLIS_STANDARD_LIBRARY_DIR: join(repoRoot(), 'actions'), ...work });
    expect(library({ TRELLIS_STANDARD_LIBRARY_DIR: '/srv/my-actions' })).toEqual({ TRELLIS_STANDARD_LIBRARY_DIR: '/srv/my-actions', ...work });
    expect(library({ TRELLIS_STANDARD_LIBRARY_URL: 'https://git.example.com/library.git' })).toEqual({ TRELLIS_STANDARD_LIBRARY_URL: 'https://git.example.com/library.git', ...work });
    expect(library({ TRELLIS_STANDARD_LIBRARY_URL: 'off' })).toEqual({ TRELLIS_STANDARD_LIBRARY_URL: 'off', ...work });
    const byDefault = localSettingsFromEnv({ TRELLIS_STATE_DIR: '/srv/trellis/state' });
    for (const other of SERVICES.filter((s) => s.name !== 'repository')) {
      const names = Object.keys(serviceEnv(byDefault, secrets, other, undefined)).filter((name) => name.startsWith('TRELLIS_STANDARD_LIBRARY_'));
      expect(names, other.name).toEqual([]);
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

  it('has the repository service commit actions/ in the state folder, and the admin\'s project has it as a managed source, scanned at that commit', async () => {
    stateDir = join(await mkdtemp(join(tmpdir(), 'trellis-adm-stdlib-')), 'state');
    const ports: Record<string, string> = { TRELLIS_PORT: String(await freePort()), TRELLIS_S3_PORT: String(await freePort()) };
    for (const service of SERVICES) ports[portEnvOf(service.name)] = String(await freePort());
    const env: NodeJS.ProcessEnv = { ...process.env, TRELLIS_STATE_DIR: stateDir, TRELLIS_INSTANCE: name, ...ports };
    delete env['TRELLIS_STANDARD_LIBRARY_URL'];
    const cli = join(repoRoot(), 'adm', 'dist', 'cli.js');
    await run(process.execPath, [cli, 'up'], { env, timeout: 180_000 });
    const repository = join(stateDir, 'repository', 'trellis-standard-library.git');
    const url = pathToFileURL(repository).href;
    const commit = await git(repository, 'rev-parse', 'main');
    const shown = (await run(process.execPath, [cli, 'env', 'repository'], { env })).stdout;
    expect(shown).toContain(`export TRELLIS_STANDARD_LIBRARY_DIR='${join(repoRoot(), 'actions')}'`);
    expect(shown).not.toContain('TRELLIS_STANDARD_LIBRARY_URL');

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
    await run(process.execPath, [cli, 'down'], { env, timeout: 60_000 });
  }, 300_000);
});
