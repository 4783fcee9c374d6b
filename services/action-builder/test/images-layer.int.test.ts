// The artifact layer on real files: packed as the builder packs artifacts (GNU tar through
// packDeterministic, or Python's tarfile for archives an attacker would write), read back entry
// by entry with tar-stream.
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packDeterministic, sha256OfFile } from '@trellis/platform/archive';
import { makeArtifactLayer, UnsafeArtifact } from '../src/infrastructure/images/artifact-layer.js';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'trellis-layer-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

let made = 0;
/** An artifact folder: wrapper, action (with a dependency folder and a link) and its manifest; packed deterministically. */
async function artifact(options: { when: Date; handler?: string; mode?: number }): Promise<string> {
  const root = path.join(scratch, `artifact-${++made}`);
  const files: Record<string, string> = {
    'trellis-artifact.json': JSON.stringify({ artifact: 1, runtime: 'nodejs' }),
    'wrapper/cli.js': 'import "./dist/cli.js";\n',
    'wrapper/dist/cli.js': '// bundle\n',
    'action/handler.js': options.handler ?? 'exports.handle = async () => ({});\n',
    'action/node_modules/tiny-shout/index.js': 'exports.shout = (t) => t;\n',
    'action/node_modules/tiny-shout/bin.js': '#!/usr/bin/env node\n',
    'action/a-b.txt': 'sorts before the action/a/ folder in a path sort, after it in a walk\n',
    'action/a/z.txt': 'z\n',
  };
  for (const [name, content] of Object.entries(files).reverse()) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), content);
    await utimes(path.join(root, name), options.when, options.when);
  }
  await chmod(path.join(root, 'action/node_modules/tiny-shout/bin.js'), options.mode ?? 0o775);
  await mkdir(path.join(root, 'action/node_modules/.bin'), { recursive: true });
  await symlink('../tiny-shout/bin.js', path.join(root, 'action/node_modules/.bin/tiny-shout'));
  const archive = path.join(scratch, `artifact-${made}.tar.gz`);
  await packDeterministic(root, archive);
  return archive;
}

async function entries(layer: string): Promise<tar.Header[]> {
  const found: tar.Header[] = [];
  const extract = tar.extract();
  const reading = (async () => {
    for await (const entry of extract) {
      found.push(entry.header);
      entry.resume();
    }
  })();
  await Promise.all([pipeline(createReadStream(layer), extract), reading]);
  return found;
}

const layerOf = (archive: string) => makeArtifactLayer(archive, path.join(scratch, `unpacked-${++made}`), path.join(scratch, `layer-${made}.tar`));

describe('the artifact layer', () => {
  it('holds the artifact under action/, sorted by path, owned by 0:0 at time 0, with fixed modes and the links kept', async () => {
    const layer = await layerOf(await artifact({ when: new Date('2024-05-01') }));
    const headers = await entries(layer.file);
    const names = headers.map((header) => header.name.replace(/\/$/, ''));
    expect(names).toEqual([...names].sort());
    expect(names[0]).toBe('action');
    expect(names).toContain('action/action/a-b.txt');
    expect(names).toContain('action/trellis-artifact.json');
    for (const header of headers) {
      expect(header).toMatchObject({ uid: 0, gid: 0, uname: '', gname: '' });
      expect(header.mtime.getTime()).toBe(0);
    }
    const byName = new Map(headers.map((header) => [header.name.replace(/\/$/, ''), header]));
    expect(byName.get('action/action/node_modules')).toMatchObject({ type: 'directory', mode: 0o755 });
    expect(byName.get('action/action/handler.js')).toMatchObject({ type: 'file', mode: 0o644 });
    expect(byName.get('action/action/node_modules/tiny-shout/bin.js')).toMatchObject({ type: 'file', mode: 0o755 });
    expect(byName.get('action/action/node_modules/.bin/tiny-shout')).toMatchObject({ type: 'symlink', linkname: '../tiny-shout/bin.js' });
    expect(layer).toMatchObject({ runtime: 'nodejs', diffId: await sha256OfFile(layer.file).then((hex) => `sha256:${hex}`) });
  });

  it('is the same bytes for the same content, whatever the times and modes were; other bytes for other content', async () => {
    const one = await layerOf(await artifact({ when: new Date('2020-01-01'), mode: 0o700 }));
    const two = await layerOf(await artifact({ when: new Date('2026-01-01'), mode: 0o755 }));
    const other = await layerOf(await artifact({ when: new Date('2020-01-01'), handler: 'exports.handle = async () => ({ other: true });\n' }));
    expect(two.diffId).toBe(one.diffId);
    expect(other.diffId).not.toBe(one.diffId);
  });

  it('refuses an artifact with a path or a link out of its folder, or a hard link', async () => {
    const write = (name: string, lines: string[]) => {
      const archive = path.join(scratch, name);
      execFileSync('python3', ['-c', ['import io, sys, tarfile', 'with tarfile.open(sys.argv[1], "w:gz") as t:', ...lines.map((line) => `    ${line}`)].join('\n'), archive]);
      return archive;
    };
    const climb = write('climb.tar.gz', ['data = b"x"; info = tarfile.TarInfo("./../escape.txt"); info.size = 1; t.addfile(info, io.BytesIO(data))']);
    const link = write('link.tar.gz', ['info = tarfile.TarInfo("./action/passwd"); info.type = tarfile.SYMTYPE; info.linkname = "../../etc/passwd"; t.addfile(info)']);
    const absolute = write('absolute.tar.gz', ['info = tarfile.TarInfo("./action/python"); info.type = tarfile.SYMTYPE; info.linkname = "/usr/bin/python3"; t.addfile(info)']);
    const hard = write('hard.tar.gz', ['info = tarfile.TarInfo("./action/copy"); info.type = tarfile.LNKTYPE; info.linkname = "./action/handler.js"; t.addfile(info)']);
    await expect(layerOf(climb)).rejects.toThrow(UnsafeArtifact);
    await expect(layerOf(climb)).rejects.toThrow(/leaves its folder/);
    await expect(layerOf(link)).rejects.toThrow(/points outside it/);
    await expect(layerOf(absolute)).rejects.toThrow(/points outside it/);
    await expect(layerOf(hard)).rejects.toThrow(/only files, folders and symbolic links/);
  });
});
