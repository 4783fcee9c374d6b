// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the library ships no types; that file declares the part we use
/// <reference path="../unzip/yauzl.d.cts" />
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUpRuns, runStandardAction } from './support/run-action.js';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'zip-test-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
  await cleanUpRuns();
});

/** Every entry of an archive with its bytes, read by a library other than the one that wrote it. */
async function contentOf(path: string): Promise<Map<string, Buffer>> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  const content = new Map<string, Buffer>();
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
        zip.once('entry', resolve).once('end', () => resolve(null)).once('error', reject);
        zip.readEntry();
      });
      if (entry === null) return content;
      zip.removeAllListeners();
      const name = String(entry.fileName);
      const chunks: Buffer[] = [];
      if (!name.endsWith('/')) for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      content.set(name, Buffer.concat(chunks));
    }
  } finally {
    zip.close();
  }
}

describe('zip', () => {
  it('packs a folder with its sub-folders, leaving symbolic links out; unzip gives the same bytes back', async () => {
    const source = join(folder, 'source');
    const data = randomBytes(100_000);
    await mkdir(join(source, 'sub/deeper'), { recursive: true });
    await mkdir(join(source, 'empty'));
    await writeFile(join(source, 'a.txt'), 'alpha');
    await writeFile(join(source, 'sub/deeper/data.bin'), data);
    // A link inside the folder (the platform's transfer itself refuses one that points outside).
    await symlink('a.txt', join(source, 'link'));

    const run = await runStandardAction('zip', { files: { directory: source }, name: 'bundle' });
    expect(run.error).toBeNull();
    expect(run.outputs.count).toBe(2);
    const archive = run.outputs.archive as string;
    const content = await contentOf(archive);
    expect([...content.keys()].sort()).toEqual(['a.txt', 'empty/', 'sub/deeper/data.bin']);
    expect(content.get('sub/deeper/data.bin')).toEqual(data);

    const unzipped = await runStandardAction('unzip', { archive: { file: archive } });
    expect(unzipped.error).toBeNull();
    expect(unzipped.outputs.count).toBe(2);
  });

  it('packs one file, stored as is with compression level 0', async () => {
    const path = join(folder, 'notes.txt');
    await writeFile(path, 'a'.repeat(10_000));
    const run = await runStandardAction('zip', { file: { file: path }, compression_level: 0 });
    expect(run.error).toBeNull();
    const content = await contentOf(run.outputs.archive as string);
    expect(content.get('notes.txt')?.toString()).toBe('a'.repeat(10_000));
    const { size } = await import('node:fs/promises').then((fs) => fs.stat(run.outputs.archive as string));
    expect(size).toBeGreaterThan(10_000);
  });

  it('asks for files or file, not both', async () => {
    const path = join(folder, 'one.txt');
    await writeFile(path, 'x');
    const other = join(folder, 'other');
    await mkdir(other);
    const run = await runStandardAction('zip', { file: { file: path }, files: { directory: other } });
    expect(run.error?.code).toBe('bad_input');
  });
});
