import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { resolvesOutside } from '@trellis/platform/archive';

/**
 * The image layer of an action: its sealed artifact unpacked under `/action/`, as a tar whose
 * bytes depend on the artifact's content only (entries sorted by name, mtime 0, owner 0:0,
 * folders 0755, files 0644 or 0755 when executable, links kept). Its SHA-256 is the layer's
 * diffID, so the same artifact gives the same layer and, on the same base, the same image.
 */
export type ArtifactLayer = {
  readonly file: string;
  /** sha256:<hex> of the tar: the layer's diffID and, uncompressed, its blob digest. */
  readonly diffId: string;
  readonly size: number;
  /** The artifact's runtime ("nodejs" or "python"), from its trellis-artifact.json. */
  readonly runtime: string;
};

/** An artifact the layer cannot hold safely: a path or link out of /action, a hard link, a device. */
export class UnsafeArtifact extends Error {}

export const ACTION_ROOT = 'action';
const ARTIFACT_MANIFEST = 'trellis-artifact.json';

/** An entry as tar-stream reads it (its stream type is not exported). */
type TarEntry = tar.Extract extends AsyncIterable<infer T> ? T : never;
type TarHeader = Partial<tar.Header> & Pick<tar.Header, 'name'>;

type Kind = 'directory' | 'file' | 'symlink';
type Entry = { readonly name: string; readonly kind: Kind; readonly executable: boolean; readonly size: number; readonly linkname: string; readonly blob: string };

/**
 * Reads the artifact (tar.gz) once, keeping each file's bytes in a scratch file named by its
 * position (never by its own path, so nothing in the archive decides where anything is
 * written), then writes the layer in name order. `scratch` is created and removed.
 */
export async function makeArtifactLayer(artifact: string, scratch: string, out: string): Promise<ArtifactLayer> {
  await mkdir(scratch, { recursive: true });
  try {
    const { entries, manifest } = await readArtifact(artifact, scratch);
    const sorted = withParents(entries).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const diffId = await writeLayer(sorted, out);
    return { file: out, diffId, size: (await stat(out)).size, runtime: runtimeOf(manifest) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function readArtifact(artifact: string, scratch: string): Promise<{ entries: Entry[]; manifest: string }> {
  const entries = new Map<string, Entry>();
  let manifest = '';
  let position = 0;
  const extract = tar.extract();
  const reading = (async () => {
    for await (const entry of extract) {
      const read = await readEntry(entry, path.join(scratch, String(position++)));
      if (read === undefined) continue;
      if (read.entry.name === `${ACTION_ROOT}/${ARTIFACT_MANIFEST}`) manifest = read.text;
      entries.set(read.entry.name, read.entry);
    }
  })();
  await Promise.all([pipeline(createReadStream(artifact), createGunzip(), extract), reading]);
  return { entries: [...entries.values()], manifest };
}

async function readEntry(entry: TarEntry, blob: string): Promise<{ entry: Entry; text: string } | undefined> {
  const { header } = entry;
  const relative = artifactPath(header.name);
  if (relative === '') {
    entry.resume();
    return undefined; // the archive's own "./": /action is added anyway
  }
  const name = `${ACTION_ROOT}/${relative}`;
  const base = { name, executable: ((header.mode ?? 0) & 0o111) !== 0, size: 0, linkname: '', blob: '' };
  if (header.type === 'directory') {
    entry.resume();
    return { entry: { ...base, kind: 'directory' }, text: '' };
  }
  if (header.type === 'symlink') {
    entry.resume();
    const linkname = header.linkname ?? '';
    if (linkname.startsWith('/') || resolvesOutside(relative, linkname)) throw new UnsafeArtifact(`the artifact's link ${relative} points outside it (${linkname})`);
    return { entry: { ...base, kind: 'symlink', linkname }, text: '' };
  }
  if (header.type !== 'file' && header.type !== 'contiguous-file') {
    entry.resume();
    throw new UnsafeArtifact(`the artifact's entry ${relative} is a ${header.type ?? 'thing'}: only files, folders and symbolic links go into an image`);
  }
  await pipeline(entry, createWriteStream(blob));
  const text = relative === ARTIFACT_MANIFEST ? await readFile(blob, 'utf8') : '';
  return { entry: { ...base, kind: 'file', size: header.size ?? 0, blob }, text };
}

/** The entry's path inside the artifact, without "./"; refused when it would leave it. */
function artifactPath(raw: string): string {
  const name = raw.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (name === '.' || name === '') return '';
  const parts = name.split('/');
  if (raw.startsWith('/') || parts.includes('..')) throw new UnsafeArtifact(`the artifact's entry ${JSON.stringify(raw)} leaves its folder`);
  return parts.filter((part) => part !== '.' && part !== '').join('/');
}

/** Every folder on the way to an entry gets an entry of its own (0755), /action first. */
function withParents(entries: readonly Entry[]): Entry[] {
  const all = new Map(entries.map((entry) => [entry.name, entry]));
  for (const entry of entries) {
    const parts = entry.name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const name = parts.slice(0, i).join('/');
      if (!all.has(name)) all.set(name, { name, kind: 'directory', executable: true, size: 0, linkname: '', blob: '' });
    }
  }
  if (!all.has(ACTION_ROOT)) all.set(ACTION_ROOT, { name: ACTION_ROOT, kind: 'directory', executable: true, size: 0, linkname: '', blob: '' });
  return [...all.values()];
}

const EPOCH = new Date(0);

function headerOf(entry: Entry): TarHeader {
  const fixed = { name: entry.name, uid: 0, gid: 0, uname: '', gname: '', mtime: EPOCH };
  if (entry.kind === 'directory') return { ...fixed, type: 'directory', mode: 0o755 };
  if (entry.kind === 'symlink') return { ...fixed, type: 'symlink', mode: 0o777, linkname: entry.linkname };
  return { ...fixed, type: 'file', mode: entry.executable ? 0o755 : 0o644, size: entry.size };
}

/** Writes the entries as a tar at `out`; the sha256:<hex> of its bytes. */
async function writeLayer(entries: readonly Entry[], out: string): Promise<string> {
  const pack = tar.pack();
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const writing = pipeline(pack, hashing, createWriteStream(out));
  try {
    for (const entry of entries) await addEntry(pack, entry);
    pack.finalize();
  } catch (error) {
    pack.destroy(error as Error);
  }
  await writing;
  return `sha256:${hash.digest('hex')}`;
}

async function addEntry(pack: tar.Pack, entry: Entry): Promise<void> {
  const header = headerOf(entry);
  if (entry.kind !== 'file') {
    await new Promise<void>((resolve, reject) => pack.entry(header, (error) => (error ? reject(error) : resolve())));
    return;
  }
  await pipeline(createReadStream(entry.blob), pack.entry(header));
}

function runtimeOf(manifest: string): string {
  if (manifest === '') throw new UnsafeArtifact(`the artifact has no ${ARTIFACT_MANIFEST}`);
  const runtime = (JSON.parse(manifest) as { runtime?: unknown }).runtime;
  if (typeof runtime !== 'string') throw new UnsafeArtifact(`the artifact's ${ARTIFACT_MANIFEST} names no runtime`);
  return runtime;
}
