import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { describePortHolder } from './port-holders.js';
import { assertPortsFree, movedPorts } from './ports.js';

const servers: Server[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function listen(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    servers.push(server);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

/** A process that listens as a child of a Trellis supervisor would: with the supervisor's marker. */
function listenAsTrellis(stateFile: string): Promise<number> {
  const child = spawn(process.execPath, ['-e', `const s = require('node:net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port))`], {
    env: { PATH: process.env['PATH'] ?? '', TRELLIS_SUPERVISED_BY: stateFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve) => child.stdout?.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim()))));
}

describe('the port check', () => {
  it('names a taken port, who holds it and the variable that moves it', async () => {
    const taken = await listen();
    await expect(assertPortsFree([{ name: 'gateway', port: taken, envVar: 'TRELLIS_PORT' }], '127.0.0.1', () => 'the Trellis instance of /work/main/.trellis')).rejects.toThrow(
      `port ${taken} (gateway) is already in use by the Trellis instance of /work/main/.trellis; free it or set TRELLIS_PORT to another port`,
    );
  });

  it('offers the same ports moved to free ones, ready to paste', async () => {
    const taken = await listen();
    const ports = [{ name: 'gateway', port: taken, envVar: 'TRELLIS_PORT' }, { name: 'studio', port: taken + 1, envVar: 'TRELLIS_STUDIO_PORT' }];
    const moved = await movedPorts(ports);
    expect(moved).toMatch(/^TRELLIS_PORT=(\d+) TRELLIS_STUDIO_PORT=(\d+)$/);
    const [gateway, studio] = [...(moved ?? '').matchAll(/=(\d+)/g)].map((m) => Number(m[1]));
    expect(studio).toBe((gateway ?? 0) + 1);
    expect(((gateway ?? 0) - taken) % 100).toBe(0);
    await expect(assertPortsFree(ports, '127.0.0.1', () => undefined)).rejects.toThrow(/move every port \(these are free now\):\n {2}TRELLIS_PORT=\d+ TRELLIS_STUDIO_PORT=\d+ make up$/);
  });

  it("finds another instance's process by its supervisor when it hides its environment (as nginx does)", async () => {
    // A stand-in supervisor (its command line names the plan file) whose child listens without the marker.
    const listener = `const s = require('node:net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port))`;
    const code = `require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(listener)}], { stdio: 'inherit', env: {} })`;
    const supervisor = spawn(process.execPath, ['-e', code, '/x/adm/dist/local/supervisor-main.js', '/tmp/nginx-checkout/.trellis/supervisor.json'], {
      env: { PATH: process.env['PATH'] ?? '' },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    children.push(supervisor);
    const port = await new Promise<number>((resolve) => supervisor.stdout?.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim()))));
    try {
      expect(describePortHolder(port)).toBe('the Trellis instance of /tmp/nginx-checkout/.trellis');
    } finally {
      process.kill(-(supervisor.pid ?? 0), 'SIGKILL');
    }
  });

  it('tells the processes of another Trellis instance from any other', async () => {
    const trellis = await listenAsTrellis('/tmp/another-checkout/.trellis/state.json');
    expect(describePortHolder(trellis)).toBe('the Trellis instance of /tmp/another-checkout/.trellis');
    const own = await listen();
    expect(describePortHolder(own)).toMatch(new RegExp(`^pid ${process.pid}: `));
  });

  it('passes free ports and catches a port given twice', async () => {
    const free = await listen();
    await new Promise((resolve) => servers.pop()?.close(resolve));
    await expect(assertPortsFree([{ name: 'gateway', port: free, envVar: 'TRELLIS_PORT' }])).resolves.toBeUndefined();
    await expect(
      assertPortsFree([
        { name: 'studio', port: free, envVar: 'TRELLIS_STUDIO_PORT' },
        { name: 'runner', port: free, envVar: 'TRELLIS_RUNNER_PORT' },
      ]),
    ).rejects.toThrow(/given to both studio and runner; set TRELLIS_RUNNER_PORT/);
  });
});
