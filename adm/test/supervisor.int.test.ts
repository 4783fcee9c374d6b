import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../src/local/processes.js';
import { launchSupervisor, readState, stopSupervisor, supervisorMainPath } from '../src/local/supervisor-control.js';
import type { ChildSpec, SupervisorPlan } from '../src/local/supervisor-plan.js';
import { eventually, freePort } from './fixtures.js';

/** Every stand-in carries this in its command line, so `pgrep -f` finds anything left behind. */
const marker = `trellis-adm-test-${randomBytes(6).toString('hex')}`;

function pgrep(): number[] {
  try {
    return execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

function node(name: string, code: string, extra: Partial<ChildSpec> = {}): ChildSpec {
  return { name, command: process.execPath, args: ['-e', code, '--', marker], env: { PATH: process.env['PATH'] ?? '' }, cwd: tmpdir(), ...extra };
}

let dir = '';
let port = 0;

function makePlan(): SupervisorPlan {
  const server = `
    const { spawn } = require('node:child_process');
    // A grandchild in the same process group: stopping the child must stop it too.
    spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '--', '${marker}-grandchild'], { stdio: 'ignore' });
    require('node:http').createServer((req, res) => { res.statusCode = req.url === '/web/healthz' ? 200 : 404; res.end('ok'); }).listen(${port}, '127.0.0.1');
    console.log('web listening');`;
  return {
    stateFile: join(dir, 'state.json'),
    logsDir: join(dir, 'logs'),
    stopTimeoutMs: 1_500,
    restart: { initialDelayMs: 100, maxDelayMs: 400, resetAfterMs: 60_000 },
    logMaxBytes: 4_000,
    meta: { purpose: 'test' },
    children: [
      node('web', server, {
        setup: [{ name: 'migrate', command: process.execPath, args: ['-e', `require('node:fs').appendFileSync(${JSON.stringify(join(dir, 'migrations'))}, 'x')`, '--', marker] }],
        ready: { url: `http://127.0.0.1:${port}/web/healthz` },
        health: { url: `http://127.0.0.1:${port}/web/healthz` },
      }),
      // Dies 200 ms after each start, printing 1 kB: it is restarted again and again, and its log rotates.
      node('crasher', `console.log('x'.repeat(1000)); setTimeout(() => process.exit(3), 200)`),
      // Ignores SIGTERM: stopping it takes the SIGKILL after stopTimeoutMs.
      node('stubborn', `process.on('SIGTERM', () => console.log('ignoring SIGTERM')); setInterval(() => {}, 1000)`, { dependsOn: ['web'] }),
      // Its stdout goes to a file of its own (as nginx's access log does), its stderr to its log.
      node('split', `console.log('to the stdout file'); console.error('to the log'); setInterval(() => {}, 1000)`, { stdoutFile: join(dir, 'split.out') }),
      // Cannot even be spawned: the supervisor logs it and keeps trying, and survives.
      { name: 'missing', command: '/nonexistent/trellis-binary', args: [marker], env: {}, cwd: tmpdir() },
      // Never gets past its setup step.
      node('broken', 'setInterval(() => {}, 1000)', { setup: [{ name: 'migrate', command: process.execPath, args: ['-e', 'process.exit(1)', '--', marker] }] }),
      // Cannot run as configured (EX_CONFIG): not restarted, and says why.
      node('misconfigured', `console.log('starting'); console.error('Invalid configuration:\\n  TRELLIS_SECRET_KEY: required (not set)'); process.exit(78)`, { fatalExitCodes: [78] }),
      // The same from a setup step: the child itself never starts.
      node('misconfigured-setup', 'setInterval(() => {}, 1000)', {
        fatalExitCodes: [78],
        setup: [{ name: 'migrate', command: process.execPath, args: ['-e', `console.error('TRELLIS_DATABASE_URL: expected a postgres:// URL'); process.exit(78)`, '--', marker] }],
      }),
    ],
  };
}

async function launch(): Promise<{ plan: SupervisorPlan; pid: number }> {
  const plan = makePlan();
  const planFile = join(dir, 'supervisor.json');
  await writeFile(planFile, JSON.stringify(plan));
  const pid = await launchSupervisor(planFile, plan.stateFile, join(dir, 'logs', 'supervisor.out'));
  return { plan, pid };
}

describe('the supervisor', () => {
  beforeAll(async () => {
    if (!existsSync(supervisorMainPath())) throw new Error(`${supervisorMainPath()} is missing: build first (npm run build)`);
    dir = await mkdtemp(join(tmpdir(), 'trellis-adm-supervisor-'));
    port = await freePort();
  });

  afterEach(async () => {
    await stopSupervisor(join(dir, 'state.json'), 20_000);
    for (const pid of pgrep()) process.kill(pid, 'SIGKILL');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts children detached, restarts the ones that die, and down leaves no process behind', async () => {
    const { plan, pid } = await launch();
    expect(isAlive(pid)).toBe(true);
    const state = () => readState(plan.stateFile);

    const web = await eventually(() => (state()?.children['web']?.status === 'up' ? state()?.children['web'] : undefined), 15_000, 'web up');
    expect((await fetch(`http://127.0.0.1:${port}/web/healthz`)).status).toBe(200);
    // It started after the web child was ready (dependsOn).
    await eventually(() => state()?.children['stubborn']?.status === 'up' || undefined, 15_000, 'stubborn up');

    // A crashing child is restarted with growing delays (100, 200, 400, 400 ms ...).
    await eventually(() => ((state()?.children['crasher']?.restarts ?? 0) >= 4 ? true : undefined), 15_000, 'crasher restarts');
    expect(state()?.children['crasher']?.lastExit?.code).toBe(3);
    // Its 1 kB per start went past the 4 kB cap: the log rotated.
    await eventually(() => existsSync(join(plan.logsDir, 'crasher.log.1')) || undefined, 15_000, 'log rotation');
    expect(statSync(join(plan.logsDir, 'crasher.log')).size).toBeLessThanOrEqual(plan.logMaxBytes + 1_200);

    // A failing setup step keeps the child from starting, and is retried.
    await eventually(() => ((state()?.children['broken']?.restarts ?? 0) >= 2 ? true : undefined), 15_000, 'broken retries');
    expect(readFileSync(join(plan.logsDir, 'broken.log'), 'utf8')).not.toMatch(/trellis-adm: started/);
    expect(state()?.children['broken']?.lastError).toMatch(/migrate failed/);

    await eventually(() => (existsSync(join(dir, 'split.out')) && readFileSync(join(dir, 'split.out'), 'utf8').includes('to the stdout file')) || undefined, 15_000, 'stdout file');
    await eventually(() => readFileSync(join(plan.logsDir, 'split.log'), 'utf8').includes('to the log') || undefined, 15_000, 'stderr in the log');
    expect(readFileSync(join(plan.logsDir, 'split.log'), 'utf8')).not.toMatch(/^to the stdout file$/m);

    // By the time the crasher was restarted four times, a child that exited 78 is still failed, never restarted.
    expect(state()?.children['misconfigured']).toMatchObject({
      status: 'failed',
      restarts: 0,
      lastError: 'cannot run as configured (exit 78): Invalid configuration:',
      lastOutput: 'Invalid configuration:\n  TRELLIS_SECRET_KEY: required (not set)',
    });
    expect(readFileSync(join(plan.logsDir, 'misconfigured.log'), 'utf8').match(/trellis-adm: started/g)).toHaveLength(1);
    expect(state()?.children['misconfigured-setup']).toMatchObject({
      status: 'failed',
      restarts: 0,
      lastError: 'migrate cannot run as configured (exit 78): TRELLIS_DATABASE_URL: expected a postgres:// URL',
    });
    expect(readFileSync(join(plan.logsDir, 'misconfigured-setup.log'), 'utf8')).not.toMatch(/trellis-adm: started/);

    await eventually(() => ((state()?.children['missing']?.restarts ?? 0) >= 2 ? true : undefined), 15_000, 'missing retries');
    expect(readFileSync(join(plan.logsDir, 'missing.log'), 'utf8')).toMatch(/cannot start \/nonexistent\/trellis-binary/);
    expect(isAlive(pid)).toBe(true);

    // Kill the web child outright: it comes back with a new pid, migrated again first.
    process.kill(web.pid as number, 'SIGKILL');
    const again = await eventually(
      () => {
        const child = state()?.children['web'];
        return child?.status === 'up' && child.pid !== web.pid ? child : undefined;
      },
      15_000,
      'web restarted',
    );
    expect(again.restarts).toBeGreaterThanOrEqual(1);
    expect(readFileSync(join(dir, 'migrations'), 'utf8').length).toBeGreaterThanOrEqual(2);
    expect(readFileSync(join(plan.logsDir, 'web.log'), 'utf8')).toMatch(/trellis-adm: started/);

    // A second supervisor for the same state directory refuses to run.
    await expect(launch()).rejects.toThrow(/exited at once/);

    // web, its grandchild and stubborn at least (the crasher comes and goes).
    expect(pgrep().length).toBeGreaterThanOrEqual(3);
    const started = Date.now();
    const { wasRunning } = await stopSupervisor(plan.stateFile, 20_000);
    expect(wasRunning).toBe(true);
    // The stubborn child needed the SIGKILL after 1.5 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    expect(isAlive(pid)).toBe(false);
    expect(pgrep()).toEqual([]);
    expect(state()?.status).toBe('stopped');
    expect(readFileSync(join(plan.logsDir, 'stubborn.log'), 'utf8')).toMatch(/ignoring SIGTERM/);
  });

  it('runs children in threads of its own process: own environment, restarted when they die, stopped by message', async () => {
    const threadPort = await freePort();
    const file = (name: string) => join(dir, name);
    // A service-like thread: answers its health with its own environment, dies on /exit, stops on the shutdown message.
    await writeFile(
      file('web-thread.mjs'),
      `import { appendFileSync } from 'node:fs';
       import { createServer } from 'node:http';
       import { parentPort } from 'node:worker_threads';
       appendFileSync(${JSON.stringify(file('thread-starts'))}, 'x');
       const server = createServer((req, res) => {
         if (req.url === '/exit') process.exit(5);
         res.end(process.env.GREETING ?? 'no greeting');
       }).listen(${threadPort}, '127.0.0.1');
       parentPort.on('message', (message) => {
         if (message !== 'trellis:shutdown') return;
         appendFileSync(${JSON.stringify(file('thread-graceful'))}, 'x');
         server.close(() => process.exit(0));
       });
       console.log('thread listening');`,
    );
    await writeFile(file('thrower.mjs'), `setTimeout(() => { throw new Error('thread bug ${marker}'); }, 100);`);
    await writeFile(file('config-thread.mjs'), `console.error('TRELLIS_SECRET_KEY: required (not set)'); process.exit(78);`);
    const thread = (name: string, script: string, extra: Partial<ChildSpec> = {}): ChildSpec => ({
      name,
      runIn: 'thread',
      command: process.execPath,
      args: [file(script)],
      env: { PATH: process.env['PATH'] ?? '' },
      cwd: tmpdir(),
      ...extra,
    });
    const plan: SupervisorPlan = {
      ...makePlan(),
      stateFile: file('threads-state.json'),
      logsDir: file('threads-logs'),
      // `up` ran every migration just before: the first start skips them, a restart runs them.
      setupDone: true,
      children: [
        thread('web', 'web-thread.mjs', {
          env: { PATH: process.env['PATH'] ?? '', GREETING: 'hello from the web thread' },
          setup: [{ name: 'migrate', command: process.execPath, args: ['-e', `require('node:fs').appendFileSync(${JSON.stringify(file('thread-migrations'))}, 'x')`, '--', marker] }],
          ready: { url: `http://127.0.0.1:${threadPort}/healthz` },
        }),
        thread('thrower', 'thrower.mjs'),
        thread('misconfigured', 'config-thread.mjs', { fatalExitCodes: [78] }),
      ],
    };
    const planFile = file('threads-plan.json');
    await writeFile(planFile, JSON.stringify(plan));
    const pid = await launchSupervisor(planFile, plan.stateFile, join(plan.logsDir, 'supervisor.out'));
    const state = () => readState(plan.stateFile);

    const web = await eventually(() => (state()?.children['web']?.status === 'up' ? state()?.children['web'] : undefined), 15_000, 'web thread up');
    expect(web).toMatchObject({ thread: true, pid: null });
    expect(await (await fetch(`http://127.0.0.1:${threadPort}/`)).text()).toBe('hello from the web thread');
    expect(existsSync(file('thread-migrations'))).toBe(false);

    // An uncaught error ends its thread only: said in its log, restarted; the supervisor lives on.
    await eventually(() => ((state()?.children['thrower']?.restarts ?? 0) >= 2 ? true : undefined), 15_000, 'thrower restarts');
    expect(readFileSync(join(plan.logsDir, 'thrower.log'), 'utf8')).toMatch(/uncaught in thrower: Error: thread bug/);
    expect(state()?.children['misconfigured']).toMatchObject({ status: 'failed', restarts: 0, lastError: 'cannot run as configured (exit 78): TRELLIS_SECRET_KEY: required (not set)' });
    expect(isAlive(pid)).toBe(true);

    // A thread that exits is started again, migrated first this time.
    await fetch(`http://127.0.0.1:${threadPort}/exit`).catch(() => undefined);
    await eventually(() => (readFileSync(file('thread-starts'), 'utf8').length >= 2 && state()?.children['web']?.status === 'up' ? true : undefined), 15_000, 'web thread restarted');
    expect(state()?.children['web']?.lastExit?.code).toBe(5);
    expect(readFileSync(file('thread-migrations'), 'utf8')).toBe('x');
    expect(readFileSync(join(plan.logsDir, 'web.log'), 'utf8')).toMatch(/thread listening/);

    const { wasRunning } = await stopSupervisor(plan.stateFile, 20_000);
    expect(wasRunning).toBe(true);
    expect(readFileSync(file('thread-graceful'), 'utf8')).toBe('x');
    expect(isAlive(pid)).toBe(false);
    expect(state()?.status).toBe('stopped');
    await stopSupervisor(plan.stateFile, 20_000);
  });

  it('down also stops the children of a supervisor that was killed outright', async () => {
    const { plan, pid } = await launch();
    await eventually(() => readState(plan.stateFile)?.children['web']?.status === 'up' || undefined, 15_000, 'web up');
    process.kill(pid, 'SIGKILL');
    await eventually(() => !isAlive(pid) || undefined, 5_000, 'supervisor gone');
    expect(pgrep().length).toBeGreaterThanOrEqual(2);
    const { wasRunning, strays } = await stopSupervisor(plan.stateFile, 20_000);
    expect(wasRunning).toBe(false);
    expect(strays).toContain('web');
    await eventually(() => pgrep().length === 0 || undefined, 5_000, 'no process left');
  });
});
