import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDirectoryArchive } from './directory-archive.js';
import { unpackDirectory } from './transfer.js';

const folders: string[] = [];
const folder = async () => {
  const made = await mkdtemp(join(tmpdir(), 'wrapper-dir-'));
  folders.push(made);
  return made;
};
afterAll(async () => {
  await Promise.all(folders.map((f) => rm(f, { recursive: true, force: true })));
});

const limits = { maxBytes: 10 * 1024 * 1024, maxEntries: 100 };

/** A tar written by Python's tarfile, as an attacker's tool would (GNU tar will not write some of these). */
async function crafted(mode: 'w' | 'w:gz', lines: string[]): Promise<string> {
  const archive = join(await folder(), 'crafted.tar');
  execFileSync('python3', ['-c', ['import io, sys, tarfile', `with tarfile.open(sys.argv[1], "${mode}") as t:`, ...lines.map((l) => `    ${l}`)].join('\n'), archive]);
  return archive;
}

const file = (name: string, size = 1) => `info = tarfile.TarInfo(${JSON.stringify(name)}); info.size = ${size}; t.addfile(info, io.BytesIO(b"x" * ${size}))`;

describe('a directory input archive is refused before anything is written', () => {
  it.each([
    ['a gzip bomb (50 MiB of zeros in a few KB)', () => crafted('w:gz', [file('zeros.bin', 50 * 1024 * 1024)]), /unpacks to more than 10485760 bytes/],
    ['more entries than allowed', () => crafted('w', Array.from({ length: 101 }, (_, i) => file(`f${i}`))), /more than 100 entries/],
    ['a name that climbs out', () => crafted('w', [file('../escape.txt')]), /leaves its folder/],
    ['an absolute name', () => crafted('w', [file('/tmp/escape.txt')]), /leaves its folder/],
    ['a link out', () => crafted('w', ['info = tarfile.TarInfo("out"); info.type = tarfile.SYMTYPE; info.linkname = "../../etc"; t.addfile(info)']), /points outside/],
    ['a link out named like the listing\'s arrow', () => crafted('w', ['info = tarfile.TarInfo("a -> b"); info.type = tarfile.SYMTYPE; info.linkname = "/etc"; t.addfile(info)']), /points outside/],
    ['a device', () => crafted('w', ['info = tarfile.TarInfo("null"); info.type = tarfile.CHRTYPE; info.devmajor = 1; info.devminor = 3; t.addfile(info)']), /not a file, folder or link/],
  ])('%s', async (_, make, reason) => {
    const archive = await make();
    const out = await folder();
    await expect(unpackDirectory(archive, out, limits)).rejects.toThrow(reason);
    expect(await readdir(out)).toEqual([]);
  });

  it('takes bytes that are no archive as no archive', async () => {
    const archive = join(await folder(), 'junk.tar');
    await writeFile(archive, 'not an archive');
    await expect(checkDirectoryArchive(archive, limits)).rejects.toThrow(/not a readable tar archive/);
  });
});

describe('a directory input archive within its limits', () => {
  it('unpacks as it was packed, links inside and odd names included', async () => {
    const root = await folder();
    const names = ['we"ird\nname', 'é ☃', 'plain.txt'];
    for (const name of names) await writeFile(join(root, name), name);
    await symlink('plain.txt', join(root, 'link'));
    const archive = join(await folder(), 'ok.tar.gz');
    execFileSync('tar', ['-czf', archive, '-C', root, '.']);
    const out = await folder();
    await unpackDirectory(archive, out, limits);
    for (const name of names) expect(await readFile(join(out, name), 'utf8')).toBe(name);
    expect(await readFile(join(out, 'link'), 'utf8')).toBe('plain.txt');
  });
});
