import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, portEnvOf } from '../src/catalog.js';
import { isAlive } from '../src/local/processes.js';
import { readState, stopSupervisor } from '../src/local/supervisor-control.js';
import { repoRoot } from '../src/paths.js';
import { dropInstanceResources, findInstanceResources } from '../src/provision/instance-resources.js';
import { postgresAdminFromEnv } from '../src/provision/postgres.js';
import { rabbitAdminFromEnv } from '../src/provision/rabbitmq.js';
import { eventually, freePort, testPrefix } from './fixtures.js';

const run = promisify(execFile);
const cli = join(repoRoot(), 'adm', 'dist', 'cli.js');
const name = testPrefix();
const admins = { postgres: postgresAdminFromEnv(), rabbitmq: rabbitAdminFromEnv() };
let stateDir = '';
let env: NodeJS.ProcessEnv = {};
let gateway = '';

/** The pids `pid` spawned, from every one of its threads. */
function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((thread) =>
    readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
  );
}

const commandOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');

/**
 * `trellis-adm up` and `down` of a whole instance of its own (its own name, state directory and
 * ports), the real services built in services/<name>/dist: they run in threads of the supervisor.
 */
describe('trellis-adm up, the services in threads of the supervisor', () => {
  beforeAll(async () => {
    stateDir = join(await mkdtemp(join(tmpdir(), 'trellis-adm-up-')), 'state');
    const ports: Record<string, string> = { TRELLIS_PORT: String(await freePort()), TRELLIS_S3_PORT: String(await freePort()) };
    for (const service of SERVICES) ports[portEnvOf(service.name)] = String(await freePort());
    // No standard library: its scans and builds (git, npm) would be the supervisor's children too.
    env = { ...process.env, TRELLIS_STATE_DIR: stateDir, TRELLIS_INSTANCE: name, ...ports, TRELLIS_STANDARD_LIBRARY_URL: 'off' };
    delete env['TRELLIS_LOCAL_SERVICES'];
    gateway = `http://127.0.0.1:${ports['TRELLIS_PORT']}`;
  });

  afterAll(async () => {
    await stopSupervisor(join(stateDir, 'state.json'), 30_000);
    await dropInstanceResources(admins, await findInstanceResources(admins, name));
    await rm(join(stateDir, '..'), { recursive: true, force: true });
  });

  it('starts them all in one Node process that answers through the gateway, and down stops them gracefully', async () => {
    await run(process.execPath, [cli, 'up'], { env, timeout: 180_000 });
    const names = ['object-store', ...SERVICES.map((s) => s.name)];
    // up returns once every service answers through the gateway; the supervisor's own probe (every 300 ms) may say so a moment later.
    const state = await eventually(() => {
      const now = readState(join(stateDir, 'state.json'));
      return now && names.every((name) => now.children[name]?.status === 'up') ? now : undefined;
    }, 10_000, 'every thread up in the state file');
    for (const child of names) expect(state.children[child], child).toMatchObject({ status: 'up', thread: true, pid: null });
    expect(state.children['gateway']).toMatchObject({ status: 'up' });
    // The supervisor's only child process is nginx (the gateway): no Node process per service.
    const spawned = childrenOf(state.pid);
    expect(spawned.map(commandOf)).toEqual([expect.stringMatching(/^nginx: master/)]);

    const password = readFileSync(join(stateDir, 'admin-password'), 'utf8').trim();
    const login = await fetch(`${gateway}/authorization/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    expect(login.status).toBe(200);
    const { access_token: token } = (await login.json()) as { access_token: string };
    // A route of each service that needs the token: every thread checks it against authorization's keys.
    for (const path of ['/studio/workflows', '/repository/sources', '/builder/builds', '/runner/deployments']) {
      expect((await fetch(`${gateway}${path}`, { headers: { authorization: `Bearer ${token}` } })).status, path).toBe(200);
    }

    const { stdout } = await run(process.execPath, [cli, 'status'], { env });
    expect(stdout).toMatch(/runner\s+up\s+thread/);

    await run(process.execPath, [cli, 'down'], { env, timeout: 60_000 });
    expect(isAlive(state.pid)).toBe(false);
    for (const service of SERVICES) {
      expect(readFileSync(join(stateDir, 'logs', `${service.name}.log`), 'utf8'), service.name).toMatch(/"message":"shutting down","reason":"host shutdown"/);
    }
    expect((await fetch(`${gateway}/runner/healthz`).catch(() => undefined))?.status).toBeUndefined();
  }, 240_000);
});
