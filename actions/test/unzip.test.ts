import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUpRuns, runStandardAction } from './support/run-action.js';
import { rawZip, type RawEntry } from './support-h2/raw-zip.js';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'unzip-test-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
  await cleanUpRuns();
});

async function unzipEntries(entries: readonly RawEntry[], limits: Record<string, number> = {}) {
  const path = join(folder, `${randomBytes(4).toString('hex')}.zip`);
  await writeFile(path, rawZip(entries));
  return runStandardAction('unzip', { archive: { file: path }, ...limits });
}

describe('unzip', () => {
  it('extracts files and folders byte for byte', async () => {
    const photo = randomBytes(50_000);
    const run = await unzipEntries([
      { name: 'readme.txt', data: Buffer.from('hello\n'), deflate: true },
      { name: 'images/', mode: 0o040755 },
      { name: 'images/photo.bin', data: photo },
      { name: 'empty/', mode: 0o040755 },
    ]);
    expect(run.error).toBeNull();
    expect(run.outputs.count).toBe(2);
    const out = run.outputs.folder as string;
    expect(await readFile(join(out, 'readme.txt'), 'utf8')).toBe('hello\n');
    expect(await readFile(join(out, 'images/photo.bin'))).toEqual(photo);
    expect((await readdir(out)).sort()).toEqual(['empty', 'images', 'readme.txt']);
  });

  it('refuses a zip bomb by its declared size (max_total_bytes)', async () => {
    const run = await unzipEntries([{ name: 'big.bin', data: Buffer.alloc(2_000_000), deflate: true }], { max_total_bytes: 1_000_000, max_ratio: 100_000 });
    expect(run.error?.code).toBe('archive_too_large');
  });

  it('refuses a zip bomb by its ratio (max_ratio)', async () => {
    const run = await unzipEntries([{ name: 'zeros.bin', data: Buffer.alloc(5_000_000), deflate: true }]);
    expect(run.error?.code).toBe('archive_too_large');
    expect(run.error?.message).toContain('max_ratio');
  });

  it('refuses a zip bomb whose header lies low: bytes are counted while inflating', async () => {
    const run = await unzipEntries(
      [{ name: 'liar.bin', data: Buffer.alloc(10_000_000), deflate: true, declaredSize: 100 }],
      { max_total_bytes: 1_000_000, max_ratio: 100_000 },
    );
    expect(run.error?.code).toBe('archive_too_large');
    expect(run.error?.message).toContain('inflates to more than max_total_bytes');
  });

  it('refuses an archive with more entries than max_entries', async () => {
    const entries = Array.from({ length: 20 }, (_, index) => ({ name: `f${index}.txt`, data: Buffer.from('x') }));
    const run = await unzipEntries(entries, { max_entries: 10 });
    expect(run.error?.code).toBe('too_many_entries');
  });

  it.each([
    ['../escape.txt', '".." part'],
    ['safe/../../escape.txt', '".." part'],
    ['/etc/escape.txt', 'absolute path'],
    ['C:/Windows/escape.txt', 'drive letter'],
    ['..\\escape.txt', 'backslash'],
    ['dir\\file.txt', 'backslash'],
  ])('refuses the unsafe path %s', async (name, reason) => {
    const run = await unzipEntries([{ name: 'fine.txt', data: Buffer.from('ok') }, { name, data: Buffer.from('pwned') }]);
    expect(run.error?.code).toBe('unsafe_path');
    expect(run.error?.message).toContain(reason);
  });

  it('refuses a symbolic link entry', async () => {
    const run = await unzipEntries([{ name: 'link', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]);
    expect(run.error?.code).toBe('unsafe_path');
    expect(run.error?.message).toContain('symbolic link');
  });

  it('refuses duplicate names', async () => {
    const run = await unzipEntries([{ name: 'a.txt', data: Buffer.from('first') }, { name: 'a.txt', data: Buffer.from('second') }]);
    expect(run.error?.code).toBe('unsafe_path');
    expect(run.error?.message).toContain('duplicate');
  });

  it('refuses a file that is not a zip archive', async () => {
    const path = join(folder, 'not.zip');
    await writeFile(path, 'just text');
    const run = await runStandardAction('unzip', { archive: { file: path } });
    expect(run.error?.code).toBe('bad_archive');
  });
});
