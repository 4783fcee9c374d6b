import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packDeterministic, sha256OfFile, unpackChecked } from './archive.js';

const made: string[] = [];
async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'trellis-archive-'));
  made.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

async function tree(files: Record<string, string>, when: Date): Promise<string> {
  const root = await folder();
  // Written in reverse order on purpose: the archive must not depend on creation order.
  for (const [name, text] of Object.entries(files).reverse()) {
    await mkdir(join(root, name, '..'), { recursive: true });
    await writeFile(join(root, name), text);
    await utimes(join(root, name), when, when);
  }
  return root;
}

const limits = { maxBytes: 10_000_000, maxEntries: 1000 };

describe('packDeterministic', () => {
  it('gives the same bytes for the same files, whatever their times and creation order', async () => {
    const files = { 'b.txt': 'bee', 'a/one.js': 'one', 'a/two.js': 'two', 'handler.py': 'print(1)' };
    const first = await tree(files, new Date('2020-01-01'));
    const second = await tree(Object.fromEntries(Object.entries(files).reverse()), new Date('2026-06-01'));
    await chmod(join(first, 'handler.py'), 0o755);
    await chmod(join(second, 'handler.py'), 0o775);
    const [one, two] = [join(await folder(), 'one.tar.gz'), join(await folder(), 'two.tar.gz')];
    await packDeterministic(first, one);
    await packDeterministic(second, two);
    expect(await sha256OfFile(one)).toBe(await sha256OfFile(two));
    expect(await sha256OfFile(one)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives other bytes when one file changes', async () => {
    const [one, two] = [join(await folder(), 'one.tar.gz'), join(await folder(), 'two.tar.gz')];
    await packDeterministic(await tree({ 'a.txt': 'a' }, new Date(0)), one);
    await packDeterministic(await tree({ 'a.txt': 'b' }, new Date(0)), two);
    expect(await sha256OfFile(one)).not.toBe(await sha256OfFile(two));
  });

  it('unpacks what it packed', async () => {
    const archive = join(await folder(), 'x.tar.gz');
    await packDeterministic(await tree({ 'dir/file.txt': 'hello', 'top.txt': 'top' }, new Date(0)), archive);
    const out = await folder();
    await unpackChecked(archive, out, limits);
    expect(await readFile(join(out, 'dir/file.txt'), 'utf8')).toBe('hello');
    expect(await readFile(join(out, 'top.txt'), 'utf8')).toBe('top');
  });
});

describe('unpackChecked refuses, writing nothing', () => {
  async function archiveWith(build: (root: string) => Promise<void>, tarArgs: (root: string) => string[] = () => ['.']): Promise<string> {
    const root = await folder();
    await build(root);
    const archive = join(await folder(), 'bad.tar.gz');
    execFileSync('tar', ['-czf', archive, '-C', root, ...tarArgs(root)]);
    return archive;
  }

  it('a path that climbs out of its folder', async () => {
    // GNU tar will not write such a name; Python's tarfile will, as an attacker's tool would.
    const archive = join(await folder(), 'climb.tar.gz');
    execFileSync('python3', ['-c', [
      'import io, sys, tarfile',
      'with tarfile.open(sys.argv[1], "w:gz") as t:',
      '    data = b"x"; info = tarfile.TarInfo("../escape.txt"); info.size = len(data); t.addfile(info, io.BytesIO(data))',
    ].join('\n'), archive]);
    const out = await folder();
    await expect(unpackChecked(archive, out, limits)).rejects.toThrow(/leaves its folder/);
  });

  it('a device', async () => {
    const archive = join(await folder(), 'device.tar.gz');
    execFileSync('python3', ['-c', [
      'import sys, tarfile',
      'with tarfile.open(sys.argv[1], "w:gz") as t:',
      '    info = tarfile.TarInfo("null"); info.type = tarfile.CHRTYPE; info.devmajor = 1; info.devminor = 3; t.addfile(info)',
    ].join('\n'), archive]);
    await expect(unpackChecked(archive, await folder(), limits)).rejects.toThrow(/not a file, folder or link/);
  });

  it('a link to outside its folder', async () => {
    const archive = await archiveWith(async (root) => symlink('../../etc/passwd', join(root, 'link')));
    await expect(unpackChecked(archive, await folder(), limits)).rejects.toThrow(/points outside/);
  });

  it('a link to outside its folder whose name holds " -> " (the listing\'s own separator)', async () => {
    const archive = await archiveWith(async (root) => symlink('../../etc', join(root, 'a -> b')));
    const out = await folder();
    await expect(unpackChecked(archive, out, limits)).rejects.toThrow(/points outside/);
  });

  it('no archive for its odd names: quotes, new lines, backslashes, " -> " and other scripts unpack as they were', async () => {
    const root = await folder();
    const names = ['we"ird\nname', 'back\\slash', 'é ☃ 𝄞', 'a -> b', 'tab\there'];
    for (const name of names) await writeFile(join(root, name), name);
    const archive = join(await folder(), 'names.tar.gz');
    await packDeterministic(root, archive);
    const out = await folder();
    await unpackChecked(archive, out, limits);
    for (const name of names) expect(await readFile(join(out, name), 'utf8')).toBe(name);
  });

  it('an archive over the size or entry limits (a tar bomb)', async () => {
    const archive = await archiveWith(async (root) => {
      await writeFile(join(root, 'big.bin'), Buffer.alloc(200_000));
      for (let i = 0; i < 5; i++) await writeFile(join(root, `f${i}`), 'x');
    });
    await expect(unpackChecked(archive, await folder(), { maxBytes: 100_000, maxEntries: 1000 })).rejects.toThrow(/more than 100000 bytes/);
    await expect(unpackChecked(archive, await folder(), { maxBytes: 10_000_000, maxEntries: 3 })).rejects.toThrow(/more than 3 entries/);
  });

  it('bytes that are not a tar.gz', async () => {
    const archive = join(await folder(), 'junk.tar.gz');
    await writeFile(archive, 'not an archive');
    await expect(unpackChecked(archive, await folder(), limits)).rejects.toThrow(/not a readable tar.gz/);
  });
});
