import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import * as tar from 'tar-stream';
import type { ArtifactLayer } from './artifact-layer.js';
import type { BaseImage, ImageConfig } from './image-config.js';

/** The base image as the engine has it; undefined when the engine does not have it. */
export async function inspectBase(docker: Docker, reference: string): Promise<BaseImage | undefined> {
  try {
    const info = await docker.getImage(reference).inspect();
    return { reference, diffIds: info.RootFS.Layers ?? [], architecture: info.Architecture, os: info.Os };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw new Error(`cannot inspect the base image ${reference} in the Docker engine: ${(error as Error).message}`, { cause: error });
  }
}

const hex = (digest: string) => digest.replace(/^sha256:/, '');

/**
 * Loads the image into the engine as a `docker save` tarball: manifest.json, the config, and the
 * artifact's layer. The base layers are listed but not sent: an engine that has a layer (the
 * base is there, it was inspected) takes it from its own store without reading the file. The
 * engine's image id must be the config's digest: anything else is a bug, thrown.
 */
export async function loadImage(docker: Docker, input: { config: ImageConfig; base: BaseImage; layer: ArtifactLayer; tag: string }): Promise<void> {
  const pack = tar.pack();
  const sending = docker.loadImage(pack as unknown as NodeJS.ReadableStream, { quiet: true });
  try {
    // Either side failing ends both: an engine that refuses stops reading, and a tarball that cannot be written is not sent.
    await Promise.all([writeSaveTarball(pack, input), sending.then(failureOf)]);
  } finally {
    pack.destroy();
  }
  const loaded = await docker.getImage(input.tag).inspect();
  if (loaded.Id !== input.config.digest) throw new Error(`the Docker engine loaded ${input.tag} as ${loaded.Id}, expected ${input.config.digest}`);
}

async function writeSaveTarball(pack: tar.Pack, input: { config: ImageConfig; base: BaseImage; layer: ArtifactLayer; tag: string }): Promise<void> {
  const layers = [...input.base.diffIds, input.layer.diffId].map((diffId) => `${hex(diffId)}/layer.tar`);
  const manifest = JSON.stringify([{ Config: `${hex(input.config.digest)}.json`, RepoTags: [input.tag], Layers: layers }]);
  await entry(pack, { name: 'manifest.json' }, Buffer.from(manifest));
  await entry(pack, { name: `${hex(input.config.digest)}.json` }, Buffer.from(input.config.json));
  await pipeline(createReadStream(input.layer.file), pack.entry({ name: `${hex(input.layer.diffId)}/layer.tar`, size: input.layer.size, mtime: new Date(0), mode: 0o644 }));
  pack.finalize();
}

function entry(pack: tar.Pack, header: Partial<tar.Header> & Pick<tar.Header, 'name'>, content: Buffer): Promise<void> {
  return new Promise((resolve, reject) => pack.entry({ mode: 0o644, mtime: new Date(0), ...header }, content, (error) => (error ? reject(error) : resolve())));
}

/** The engine answers a load with JSON messages; one with an error means the load failed. */
async function failureOf(response: NodeJS.ReadableStream): Promise<void> {
  let text = '';
  for await (const chunk of response as Readable) text += String(chunk);
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const message = JSON.parse(line) as { error?: string; errorDetail?: { message?: string } };
    if (message.error || message.errorDetail) throw new Error(`the Docker engine refused the image: ${message.errorDetail?.message ?? message.error ?? line}`);
  }
}

/**
 * The bytes of the base's layers (uncompressed tars, named by diffID) for a registry, taken once
 * from `docker save` of the base and kept in `cacheDir`: the same diffID is the same bytes.
 */
export async function baseLayerFiles(docker: Docker, base: BaseImage, cacheDir: string): Promise<Map<string, { file: string; size: number }>> {
  const files = new Map<string, { file: string; size: number }>();
  const cached = async (diffId: string) => {
    const file = path.join(cacheDir, `${hex(diffId)}.tar`);
    const info = await stat(file).catch(() => undefined);
    if (info) files.set(diffId, { file, size: info.size });
  };
  for (const diffId of base.diffIds) await cached(diffId);
  if (files.size === base.diffIds.length) return files;
  await mkdir(cacheDir, { recursive: true });
  await saveLayers(docker, base, cacheDir);
  for (const diffId of base.diffIds) await cached(diffId);
  const missing = base.diffIds.filter((diffId) => !files.has(diffId));
  if (missing.length > 0) throw new Error(`docker save of ${base.reference} did not give the layers ${missing.join(', ')}`);
  return files;
}

async function saveLayers(docker: Docker, base: BaseImage, cacheDir: string): Promise<void> {
  const wanted = new Set(base.diffIds);
  const extract = tar.extract();
  const reading = (async () => {
    for await (const item of extract) {
      if (!item.header.name.endsWith('/layer.tar') || item.header.type !== 'file') {
        item.resume();
        continue;
      }
      const partial = path.join(cacheDir, `.${randomUUID()}.partial`);
      const hash = createHash('sha256');
      const hashing = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          done(null, chunk);
        },
      });
      await pipeline(item, hashing, createWriteStream(partial));
      const diffId = `sha256:${hash.digest('hex')}`;
      if (wanted.has(diffId)) await rename(partial, path.join(cacheDir, `${hex(diffId)}.tar`));
      else await rm(partial, { force: true });
    }
  })();
  const saved = await docker.getImage(base.reference).get();
  await Promise.all([pipeline(saved as Readable, extract), reading]);
}
