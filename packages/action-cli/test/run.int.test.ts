import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction, type RunOptions } from '../src/run.js';

const root = resolve(import.meta.dirname, '../../..');
const example = (name: string) => join(root, 'examples/actions', name);
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'trellis-action-run-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function run(folder: string, inputs: string[] = [], options: Partial<RunOptions> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAction(
    { folder: example(folder), inputs, outDir: join(scratch, randomUUID()), json: false, ...options },
    { out: (line) => void out.push(line), err: (line) => void err.push(line) },
  );
  return { code, out, err };
}

describe('every example, through the real wrapper over gRPC', () => {
  it('echo (Node) answers its text and logs', async () => {
    expect(await run('echo', ['text=hi there'])).toEqual({ code: 0, out: ['hi there'], err: ['echoing 8 characters'] });
  });

  it('uppercase (Python) shouts', async () => {
    expect(await run('uppercase', ['text=hello'])).toMatchObject({ code: 0, out: ['HELLO'] });
  });

  it('word-count (Python) reads a file input', async () => {
    const document = join(scratch, 'doc.txt');
    await writeFile(document, 'one two three\nfour five\n');
    expect(await run('word-count', [`document=@${document}`])).toMatchObject({ code: 0, out: ['lines: 2', 'words: 5', 'characters: 24'] });
  });

  it('make-archive (Node) returns a directory, saved locally', async () => {
    const outDir = join(scratch, 'archive-out');
    const answer = await run('make-archive', ['lines=alpha\nbeta\n\ngamma', 'prefix=row'], { outDir });
    expect(answer.code).toBe(0);
    expect(answer.out).toEqual([join(outDir, 'folder')]);
    expect((await readdir(join(outDir, 'folder'))).sort()).toEqual(['row-001.txt', 'row-002.txt', 'row-003.txt']);
    expect(await readFile(join(outDir, 'folder', 'row-003.txt'), 'utf8')).toBe('gamma\n');
  });

  it('sum-list (Node) adds JSON numbers, and rejects bad input with its ActionError code', async () => {
    expect(await run('sum-list', ['numbers=[1, 2.5, 3]'])).toMatchObject({ code: 0, out: ['total: 6.5', 'count: 3'] });
    expect(await run('sum-list', ['numbers=["a"]'])).toMatchObject({ code: 1, err: ['error (bad_numbers): numbers must be a JSON list of numbers'] });
  });

  it('sleep (Python) sleeps, and is stopped by a shorter timeout', async () => {
    const slept = await run('sleep', ['seconds=0.2']);
    expect(slept.code).toBe(0);
    expect(Number(slept.out[0])).toBeGreaterThanOrEqual(0.2);
    expect(await run('sleep', ['seconds=5'], { timeoutMs: 300 })).toMatchObject({ code: 1, err: [expect.stringMatching(/^error \(timeout\)/)] });
  });

  it('flaky (Node) fails twice for a key, then succeeds', async () => {
    const key = `key=${randomUUID()}`;
    expect((await run('flaky', [key])).code).toBe(1);
    expect((await run('flaky', [key])).code).toBe(1);
    expect(await run('flaky', [key])).toMatchObject({ code: 0, out: ['3'] });
  });

  it('raise-error (Python) fails with its ActionError message and code', async () => {
    expect(await run('raise-error', ['message=No thanks', 'code=declined'])).toMatchObject({ code: 1, err: ['error (declined): No thanks'] });
  });

  it('ticker (Node trigger) emits runs on the Listen stream', async () => {
    const answer = await run('ticker', ['interval=0.05'], { count: 3 });
    expect(answer.code).toBe(0);
    expect(answer.out.map((line) => (JSON.parse(line) as { tick: number }).tick)).toEqual([1, 2, 3]);
  });

  it('refuses unknown inputs and wrong types before starting anything', async () => {
    expect(await run('uppercase', ['txt=hello'])).toMatchObject({ code: 2, err: [expect.stringContaining('unknown input "txt"'), 'missing input text (string: The text to shout)'] });
  });
});

describe('the trellis-action command', () => {
  beforeAll(() => {
    const built = spawnSync('npx', ['tsc', '-b', 'packages/action-cli'], { cwd: root, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`build failed:\n${built.stdout}${built.stderr}`);
  }, 120_000);

  it('prints HELLO for examples/actions/uppercase with text=hello', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['packages/action-cli/dist/cli.js', 'run', 'examples/actions/uppercase', '--input', 'text=hello'], { cwd: root });
    expect(stdout).toBe('HELLO\n');
  });

  it('validates a folder and exits 1 on problems', () => {
    const bad = spawnSync(process.execPath, ['packages/action-cli/dist/cli.js', 'validate', 'packages/action-cli'], { cwd: root, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/manifest/i);
  });
});
