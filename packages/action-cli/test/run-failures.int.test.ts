// `trellis-action run` on a handler that cannot load: the built command exits non-zero at once
// and leaves no process behind (not the Python child, nor anything the handler started).
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../src/run.js';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'packages/action-cli/dist/cli.js');
let scratch: string;

beforeAll(async () => {
  const built = spawnSync('npx', ['tsc', '-b', 'packages/action-cli'], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build failed:\n${built.stdout}${built.stderr}`);
  scratch = await mkdtemp(join(tmpdir(), 'trellis-action-failures-'));
}, 120_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const manifest = (id: string, runtime: 'python' | 'nodejs', handler: string) =>
  `apiVersion: trellis.dev/v1
kind: Processor
id: ${id}
version: 1.0.0
name: ${id}
runtime: ${runtime}
handler: ${handler}
outputs:
  - { name: result, type: string }
`;

/** An action folder whose handler cannot load; `@pids` in the source becomes the path of a file for its pid. */
async function anAction(id: string, runtime: 'python' | 'nodejs', source: string): Promise<{ folder: string; pids: string }> {
  const folder = join(scratch, id);
  const pids = join(scratch, `${id}.pids`);
  const handler = runtime === 'python' ? 'handler.py' : 'handler.cjs';
  await rm(folder, { recursive: true, force: true });
  await writeFile(pids, '');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'trellis.yaml'), manifest(id, runtime, handler));
  await writeFile(join(folder, handler), source.replaceAll('@pids', JSON.stringify(pids)));
  return { folder, pids };
}

async function runCli(folder: string): Promise<{ code: number | null; stderr: string; ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [cli, 'run', folder], { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  child.stdout.resume();
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await new Promise<number | null>((done) => child.on('exit', (exitCode) => done(exitCode)));
  clearTimeout(timer);
  return { code, stderr, ms: performance.now() - started };
}

/** Live (not zombie) processes whose command line mentions `text`. */
async function processesMentioning(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      if (cmdline.includes(text) && !isZombie(await readFile(`/proc/${pid}/stat`, 'utf8'))) found.push(`${pid} ${cmdline}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const isZombie = (stat: string) => stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');

async function isAlive(pid: number): Promise<boolean> {
  try {
    return !isZombie(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('trellis-action run on a handler that cannot load', () => {
  it.each([
    ['a Python syntax error', 'py-syntax', 'python', 'def handle(inputs, context):\n    return {"result": "x"\n', /SyntaxError/],
    [
      'a Python import of a missing module (after starting a thread that would keep Python alive)',
      'py-missing',
      'python',
      [
        'import os, threading, time',
        'threading.Thread(target=time.sleep, args=(3600,)).start()',
        'open(@pids, "w").write(str(os.getpid()))',
        'import trellis_no_such_module',
        'def handle(inputs, context):',
        '    return {"result": "x"}',
        '',
      ].join('\n'),
      /ModuleNotFoundError: No module named 'trellis_no_such_module'/,
    ],
    ['a Node syntax error', 'node-syntax', 'nodejs', 'exports.handle = function handle( {\n', /SyntaxError/],
    [
      'a Node require of a missing module (after starting a timer)',
      'node-missing',
      'nodejs',
      "setInterval(() => {}, 1000);\nrequire('fs').writeFileSync(@pids, String(process.pid));\nrequire('trellis-no-such-module');\nexports.handle = () => ({ result: 'x' });\n",
      /Cannot find module 'trellis-no-such-module'/,
    ],
  ] as const)('%s: exits non-zero within 5 s, leaving no process behind', async (_label, id, runtime, source, message) => {
    const { folder, pids } = await anAction(id, runtime, source);
    const { code, stderr, ms } = await runCli(folder);
    expect(stderr).toMatch(message);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(ms).toBeLessThan(5_000);
    // The process that loaded the handler (the Python child, or the command itself for Node) is gone.
    const pid = Number(await readFile(pids, 'utf8'));
    if (id.endsWith('-missing')) expect(pid).toBeGreaterThan(0);
    if (pid > 0) expect(await isAlive(pid)).toBe(false);
    expect(await processesMentioning(folder)).toEqual([]);
  });
});

describe('runAction on a handler that cannot load', () => {
  it('answers 1 and leaves nothing open in the process (no server, no child)', async () => {
    const { folder } = await anAction('py-syntax-in-process', 'python', 'def handle(inputs, context):\n    return {\n');
    const count = (kind: string) => process.getActiveResourcesInfo().filter((name) => name === kind).length;
    const before = { servers: count('TCPServerWrap'), children: count('ProcessWrap') };
    const err: string[] = [];
    const code = await runAction({ folder, inputs: [], outDir: join(scratch, 'out'), json: false }, { out: () => undefined, err: (line) => void err.push(line) });
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/SyntaxError/);
    // The local file exchange is closed by then; the child's handle is released within a tick or two.
    expect(count('TCPServerWrap')).toBe(before.servers);
    await expect.poll(() => count('ProcessWrap'), { timeout: 1000, interval: 10 }).toBe(before.children);
  });
});
