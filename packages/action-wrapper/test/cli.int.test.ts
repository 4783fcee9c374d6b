// The built command: port on the first line of stdout, SIGTERM, a crash that exits non-zero.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as pb from '../src/infrastructure/pb/action/v1/action.js';
import { actionsDir, anAction, io, miscAction, plain, v } from './harness.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(packageDir, 'dist', 'cli.js');
let scratch = '';

beforeAll(() => {
  execFileSync(process.execPath, [path.join(packageDir, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-b', packageDir], { stdio: 'inherit' });
  scratch = mkdtempSync(path.join(tmpdir(), 'trellis-cli-'));
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Started = { child: ChildProcess; port: number; stdout: () => string; stderr: () => string; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> };

function startCli(folder: string, definition: unknown, extra: string[] = [], options: { stdin?: 'pipe'; env?: NodeJS.ProcessEnv } = {}): Promise<Started> {
  const args = [cli, path.join(actionsDir, folder), '--port', '0', ...extra];
  if (definition !== undefined) {
    const file = path.join(scratch, `${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(definition));
    args.push('--definition', file);
  }
  const child = spawn(process.execPath, args, { stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'], ...(options.env ? { env: options.env } : {}) });
  let out = '';
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (err += text));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      const firstLine = out.split('\n')[0];
      if (out.includes('\n') && firstLine !== undefined) {
        if (!/^\d+$/.test(firstLine)) reject(new Error(`first line of stdout is not a port: ${firstLine}`));
        resolve({ child, port: Number(firstLine), stdout: () => out, stderr: () => err, exit });
      }
    });
    void exit.then(({ code }) => reject(new Error(`the wrapper exited (${code}) before printing its port: ${err}`)));
  });
}

function run(port: number, request: Partial<pb.RunRequest>): Promise<pb.RunResponse> {
  const client = new pb.ActionServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  return new Promise<pb.RunResponse>((resolve, reject) =>
    client.run(pb.RunRequest.fromPartial({ executionId: 'cli-1', ...request }), (error, response) => (error ? reject(error) : resolve(response))),
  ).finally(() => client.close());
}

describe('trellis-action-wrapper', () => {
  it('prints the port alone on its first line, serves, and exits 0 on SIGTERM', async () => {
    const started = await startCli('node-misc', miscAction('nodejs'));
    expect(started.stdout()).toBe(`${started.port}\n`);
    const response = await run(started.port, { inputs: { mode: v.enum('echo'), text: v.string('via cli') } });
    expect(plain(response.outputs['result'])).toBe('via cli');
    expect(response.logs?.stdout).toContain('log via cli\n');
    // The handler's prints went to the execution, not to the wrapper's stdout.
    expect(started.stdout()).toBe(`${started.port}\n`);
    started.child.kill('SIGTERM');
    expect(await started.exit).toEqual({ code: 0, signal: null });
  });

  it.each([
    ['--exit-with-stdin', ['--exit-with-stdin'], {}],
    ['TRELLIS_EXIT_WITH_STDIN=1', [], { TRELLIS_EXIT_WITH_STDIN: '1' }],
  ] as const)('with %s, stops when its stdin ends (its runner died) and exits 0', async (_name, extra, env) => {
    const started = await startCli('node-misc', miscAction('nodejs'), [...extra], { stdin: 'pipe', env: { ...process.env, ...env } });
    started.child.stdin?.end();
    expect(await started.exit).toEqual({ code: 0, signal: null });
  });

  it('keeps running when its stdin ends without being asked to stop with it', async () => {
    const started = await startCli('node-misc', miscAction('nodejs'), [], { stdin: 'pipe' });
    started.child.stdin?.end();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(started.child.exitCode).toBeNull();
    started.child.kill('SIGTERM');
    expect(await started.exit).toEqual({ code: 0, signal: null });
  });

  it('reads the definition from the folder\'s trellis.yaml when no --definition is given', async () => {
    const started = await startCli('node-cjs', undefined);
    const response = await run(started.port, { inputs: { text: v.string('yaml') } });
    expect(plain(response.outputs['result'])).toBe('cjs:yaml');
    started.child.kill('SIGTERM');
    expect((await started.exit).code).toBe(0);
  });

  it('finishes an in-flight execution on SIGTERM before it exits', async () => {
    const started = await startCli('node-misc', miscAction('nodejs'));
    const inFlight = run(started.port, { inputs: { mode: v.enum('sleep'), size: v.integer(300) } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    started.child.kill('SIGTERM');
    expect(plain((await inFlight).outputs['result'])).toBe('slept 300');
    expect((await started.exit).code).toBe(0);
  });

  it('exits non-zero when a Node handler crashes the process', async () => {
    const started = await startCli('node-crash', anAction({ id: 'crash', outputs: [io('result', 'string')] }));
    const response = await run(started.port, {});
    expect(plain(response.outputs['result'])).toBe('scheduled a crash');
    const exit = await started.exit;
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(started.stderr()).toMatch(/crash outside the execution/);
  });

  it('exits 1 with a message when the handler cannot be loaded, and 2 on bad usage', async () => {
    await expect(startCli('node-misc', anAction({ id: 'missing', handler: 'nope.js' }))).rejects.toThrow(/exited \(1\).*handler nope\.js does not exist/s);
    await expect(startCli('node-misc', miscAction('nodejs'), ['--concurrency', 'zero'])).rejects.toThrow(/exited \(2\).*--concurrency must be a positive integer/s);
  });
});
