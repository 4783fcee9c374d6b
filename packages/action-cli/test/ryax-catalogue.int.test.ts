// The Ryax catalogue (examples/actions/ryax): every action written as Ryax's documentation and
// default actions write them runs unchanged through `trellis-action run` (the real wrapper over
// gRPC, files through the local exchange), the sources through the trigger path (Listen); every
// one under unsupported/ is refused by `trellis-action validate` with its code at its place.
import { spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadAction } from '@trellis/action-manifest/load';
import { formatProblem } from '@trellis/action-manifest/problem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunOptions, runAction } from '../src/run.js';
import { validate } from '../src/validate.js';

const catalogue = resolve(import.meta.dirname, '../../../examples/actions/ryax');
let scratch: string;
let runs = 0;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'trellis-ryax-catalogue-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Starts `trellis-action run examples/actions/ryax/<folder> --json --input ...` in process; what it prints is collected as it comes. */
function start(folder: string, inputs: string[] = [], options: Partial<RunOptions> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const outDir = join(scratch, `out-${++runs}`);
  const done = runAction(
    { folder: join(catalogue, folder), inputs, outDir, json: true, ...options },
    { out: (line) => void out.push(line), err: (line) => void err.push(line) },
  );
  return { done, out, err, outDir };
}

/** `trellis-action run ...` to its end: its exit code and what it printed. */
async function run(folder: string, inputs: string[] = [], options: Partial<RunOptions> = {}) {
  const { done, ...printed } = start(folder, inputs, options);
  return { code: await done, ...printed };
}

/** The outputs a processor printed (one JSON object), or each run of a trigger (one per line). */
const parsed = (lines: string[]) => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

/** A folder of files under the scratch directory, from { relative path: content }. */
async function aFolder(name: string, files: Record<string, string>): Promise<string> {
  const folder = join(scratch, name);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(folder, path, '..'), { recursive: true });
    await writeFile(join(folder, path), content);
  }
  return folder;
}

/** Every file under a folder, as { relative path: content }. */
async function filesOf(folder: string): Promise<Record<string, string>> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files: Record<string, string> = {};
  for (const entry of entries.filter((e) => e.isFile())) {
    const path = join(entry.parentPath, entry.name);
    files[path.slice(folder.length + 1)] = await readFile(path, 'utf8');
  }
  return files;
}

describe('the Ryax processors and publishers, through trellis-action run', () => {
  it('count-words: handle(mod_in) with one argument reads a file input; booleans and integers come from their default_value', async () => {
    const document = await aFolder('count-words', { 'notes.txt': 'The cat saw the dog.\nA dog saw THE cat!\n\nThe end\n' });
    const answer = await run('count-words', [`document=@${join(document, 'notes.txt')}`]);
    expect(answer).toMatchObject({ code: 0, err: ['12 words, 6 different'] });
    expect(parsed(answer.out)).toEqual([{ lines: 4, words: 12, top_word: 'the' }]);
  });

  it('zip-directory: a directory input (sub-folders included) becomes a file output, read back as a zip', async () => {
    const folder = await aFolder('to-zip', { 'readme.txt': 'read me\n', 'data/1.csv': 'a,b\n1,2\n', 'data/deep/2.csv': 'c\n3\n' });
    const answer = await run('zip-directory', [`folder=@${folder}`, 'name=backup']);
    expect(answer).toMatchObject({ code: 0, err: ['packed 3 files into backup.zip'] });
    expect(parsed(answer.out)).toEqual([{ archive: join(answer.outDir, 'archive'), files: 3 }]);
    const listing = spawnSync('python3', ['-c', 'import json, sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(json.dumps({n: z.read(n).decode() for n in z.namelist()}))', join(answer.outDir, 'archive')], { encoding: 'utf8' });
    expect(JSON.parse(listing.stdout)).toEqual({ 'readme.txt': 'read me\n', 'data/1.csv': 'a,b\n1,2\n', 'data/deep/2.csv': 'c\n3\n' });
  });

  it('split-lines: a longstring input becomes a directory output, one file per non-empty line', async () => {
    const answer = await run('split-lines', ['text=apples\npears\n\n  \nplums', 'prefix=fruit']);
    expect(answer.code).toBe(0);
    expect(parsed(answer.out)).toEqual([{ folder: join(answer.outDir, 'folder'), count: 3 }]);
    expect(await filesOf(join(answer.outDir, 'folder'))).toEqual({ 'fruit-001.txt': 'apples\n', 'fruit-002.txt': 'pears\n', 'fruit-003.txt': 'plums\n' });
  });

  it('checksum-files: an async handle is awaited; an enum input takes its default_value', async () => {
    const files = { 'b.txt': 'bravo\n', 'a.txt': 'alpha\n', 'nested/c.bin': 'charlie' };
    const answer = await run('checksum-files', [`folder=@${await aFolder('to-hash', files)}`]);
    expect(answer.code).toBe(0);
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    expect(parsed(answer.out)).toEqual([
      { checksums: `${sha256('alpha\n')}  a.txt\n${sha256('bravo\n')}  b.txt\n${sha256('charlie')}  nested/c.bin\n`, count: 3 },
    ]);
  });

  it('sum-floats: whole float inputs and a whole default_value arrive as Python floats; an enum output', async () => {
    const answer = await run('sum-floats', ['first=-10', 'second=2']);
    expect(answer.code).toBe(0);
    expect(parsed(answer.out)).toEqual([{ total: -8, expression: '-10.0 + 2.0 * 1.0', sign: 'negative' }]);
  });

  it('greet: a password with a default_value signs the greeting and is never printed; a password output', async () => {
    const signature = (token: string, text: string) => createHmac('sha256', token).update(text).digest('hex');
    const byDefault = await run('greet', ['name=Ada']);
    expect(byDefault).toMatchObject({ code: 0, err: ['greeting Ada in en'] });
    expect(parsed(byDefault.out)).toEqual([{ greeting: 'Hello, Ada!', signature: signature('demo-token-change-me', 'Hello, Ada!') }]);
    expect(JSON.stringify(byDefault)).not.toContain('demo-token-change-me');
    const given = await run('greet', ['name=Zoé', 'language=fr', 'token=s3cret-t0ken']);
    expect(parsed(given.out)).toEqual([{ greeting: 'Bonjour, Zoé !', signature: signature('s3cret-t0ken', 'Bonjour, Zoé !') }]);
    expect(JSON.stringify(given)).not.toContain('s3cret-t0ken');
  });

  it('make-label: an optional input left without a value is None, not a missing key; a boolean output', async () => {
    const alone = await run('make-label', ['title=Hello']);
    expect(alone.code).toBe(0);
    expect(parsed(alone.out)).toEqual([{ label: '+-------+\n| Hello |\n+-------+', has_subtitle: false }]);
    const both = await run('make-label', ['title=Hello', 'subtitle=world!']);
    expect(parsed(both.out)).toEqual([{ label: '+--------+\n| Hello  |\n| world! |\n+--------+', has_subtitle: true }]);
  });

  it('lookup-country: a RyaxException (the dataclass of Ryax\'s docs) fails the run with its integer code', async () => {
    expect(parsed((await run('lookup-country', ['code=fr'])).out)).toEqual([{ name: 'France', capital: 'Paris' }]);
    expect(await run('lookup-country', ['code=zz'])).toMatchObject({ code: 1, out: [], err: ['error (404): no country has the code ZZ'] });
  });

  it('publish-summary: a Publisher with no outputs returns {} and writes its log', async () => {
    const answer = await run('publish-summary', ['title=Weekly', 'numbers=4\n8\n15\n16\n23\n42']);
    expect(answer).toMatchObject({ code: 0, out: ['{}'], err: ['== Weekly ==\ncount: 6\nmin: 4.0  max: 42.0  mean: 18.0'] });
  });

  it('slugify: a Node.js handler that is the module itself (module.exports = handle)', async () => {
    const answer = await run('slugify', ['title=Crème Brûlée, à la Française!']);
    expect(answer).toMatchObject({ code: 0, err: ['5 words'] });
    expect(parsed(answer.out)).toEqual([{ slug: 'creme-brulee-a-la-francaise', length: 27 }]);
    expect(parsed((await run('slugify', ['title=Hello  World', 'separator=_'])).out)).toEqual([{ slug: 'hello_world', length: 11 }]);
  });
});

describe('the Ryax sources, through the trigger path (Listen)', () => {
  it('emit-every: create_run every interval (a fraction of a second) until stopped; max_runs None runs on', async () => {
    const answer = await run('emit-every', ['seconds=0.05'], { count: 3 });
    expect(answer.code).toBe(0);
    const emitted = parsed(answer.out);
    const utc = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
    expect(emitted).toEqual([1, 2, 3].map((n) => ({ run_number: n, time: utc })));
    const times = emitted.map((r) => Date.parse(String(r['time'])));
    const gaps = times.slice(1).map((time, i) => time - (times[i] ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(45); // 50 ms apart, to the millisecond
  });

  it('emit-every: with max_runs it stops by itself, and the trigger path ends with it', async () => {
    const answer = await run('emit-every', ['seconds=0.01', 'max_runs=2']);
    expect(answer.code).toBe(0);
    expect(parsed(answer.out).map((r) => r['run_number'])).toEqual([1, 2]);
  });

  it('run-once: one create_run (imported by the older ryax_wrapper path), then the stream ends', async () => {
    const answer = await run('run-once', ['message=go, team']);
    expect(answer.code).toBe(0);
    expect(parsed(answer.out)).toEqual([{ message: 'go, team', length: 8 }]);
  });

  it('webhook: serves HTTP on RYAX_SOURCE_PORT under ryax_endpoint_prefix, one run per accepted POST', async () => {
    const listening = start('webhook', ['token=hook-s3cret'], { count: 1 });
    // The command says where the trigger serves before it starts listening; the server follows.
    const served = () => listening.err.map((line) => /^the trigger serves HTTP at (http:\/\/127\.0\.0\.1:\d+\/webhook) \(RYAX_SOURCE_PORT=\d+\)$/.exec(line)?.[1]).find(Boolean);
    await expect.poll(served, { timeout: 15_000, interval: 20 }).toBeDefined();
    const url = served() ?? '';
    await expect.poll(() => fetch(url).then((r) => r.status, () => 0), { timeout: 15_000, interval: 50 }).toBe(404);
    const refused = await fetch(`${url}/github`, { method: 'POST', body: '{"ref":"main"}' });
    expect(refused.status).toBe(401);
    const accepted = await fetch(`${url}/github`, { method: 'POST', body: '{"ref":"main"}', headers: { 'x-token': 'hook-s3cret' } });
    expect([accepted.status, await accepted.json()]).toEqual([202, { status: 'accepted' }]);
    expect(await listening.done).toBe(0);
    // Only the accepted request made a run: the refused one came first.
    expect(parsed(listening.out)).toEqual([{ body: '{"ref":"main"}', path: '/github' }]);
  });
});

describe.concurrent('the unsupported Ryax actions, through trellis-action validate', () => {
  it.each([
    ['nix-dependencies', [['unsupported_nix_dependencies', 'ryax_metadata.yaml:11:3']]],
    ['nix-overlay', [['unsupported_nix_overlays', 'nix/:1:1'], ['unsupported_nix_overlays', 'overlays.nix:1:1']]],
    ['dynamic-outputs', [['unsupported_dynamic_outputs', 'ryax_metadata.yaml:11:3']]],
    ['hpc-addon', [['unsupported_addon', 'ryax_metadata.yaml:12:5']]],
    ['gpu-resources', [['unsupported_gpu', 'ryax_metadata.yaml:14:5']]],
    ['cuda-runtime', [['unsupported_runtime', 'ryax_metadata.yaml:6:9']]],
    ['python-version', [['unsupported_option', 'ryax_metadata.yaml:12:5']]],
  ] as const)('%s is refused with its located problem', async (folder, expected) => {
    const path = join(catalogue, 'unsupported', folder);
    const loaded = await loadAction(path);
    expect(loaded.ok ? [] : loaded.problems.map((p) => [p.code, `${p.file}:${p.line}:${p.column}`])).toEqual(expected);
    const err: string[] = [];
    expect(await validate(path, { out: () => undefined, err: (line) => void err.push(line) })).toBe(1);
    const lines = loaded.ok ? [] : loaded.problems.map(formatProblem);
    expect(err).toEqual([...lines, `${expected.length} problem${expected.length === 1 ? '' : 's'} in ${path}`]);
    expect(lines.every((line, i) => line.startsWith(`${expected[i]?.[1]}: `))).toBe(true);
  });
});
