import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { authorizedSender, refused, urlOf, type Registry, type Sender } from './registry-auth.js';

export type { Registry } from './registry-auth.js';

/**
 * A blob of the image: bytes, a file, or (a base layer already in the registry) the repository it
 * is mounted from, downloaded into `cacheDir` and uploaded only when the registry will not mount it.
 */
export type BlobContent = Buffer | { readonly file: string; readonly size: number } | { readonly mountFrom: string; readonly cacheDir: string };
export type Blob = { readonly mediaType: string; readonly digest: string; readonly size: number; readonly content: BlobContent };

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';

/** `<prefix>/<name>` in the registry. */
export const repositoryOf = (registry: Registry, name: string): string => (registry.prefix ? `${registry.prefix}/${name}` : name);

/**
 * Pushes an image per the OCI distribution spec: each blob that the registry does not have yet
 * (HEAD) in one monolithic upload (POST, then PUT with the digest), then the manifest under
 * `tag`. Returns the manifest's digest (sha256:<hex>), which names the image from then on.
 */
export async function pushImage(registry: Registry, repository: string, image: { config: Blob; layers: readonly Blob[]; tag: string }): Promise<string> {
  const sources = [...new Set(image.layers.flatMap((layer) => ('mountFrom' in layer.content ? [layer.content.mountFrom] : [])))];
  const call = authorizedSender(registry, [`repository:${repository}:pull,push`, ...sources.map((source) => `repository:${source}:pull`)]);
  for (const blob of [...image.layers, image.config]) await pushBlob(registry, call, repository, blob);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: image.config.mediaType, digest: image.config.digest, size: image.config.size },
    layers: image.layers.map((layer) => ({ mediaType: layer.mediaType, digest: layer.digest, size: layer.size })),
  }));
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  const reply = await call({ method: 'PUT', url: urlOf(registry, `/v2/${repository}/manifests/${image.tag}`), headers: { 'content-type': OCI_MANIFEST }, body: manifest });
  if (reply.status !== 201) throw refused(`the manifest of ${repository}:${image.tag}`, reply);
  const answered = reply.headers['docker-content-digest'];
  if (typeof answered === 'string' && answered !== digest) throw new Error(`the registry stored the manifest of ${repository} as ${answered}, expected ${digest}`);
  return digest;
}

async function pushBlob(registry: Registry, call: Sender, repository: string, blob: Blob): Promise<void> {
  const head = await call({ method: 'HEAD', url: urlOf(registry, `/v2/${repository}/blobs/${blob.digest}`) });
  if (head.status === 200) return;
  if (head.status !== 404) throw refused(`a look at blob ${blob.digest}`, head);
  const content = blob.content;
  const start = urlOf(registry, `/v2/${repository}/blobs/uploads/`);
  if ('mountFrom' in content) {
    start.searchParams.set('mount', blob.digest);
    start.searchParams.set('from', content.mountFrom);
  }
  const started = await call({ method: 'POST', url: start });
  if (started.status === 201 && 'mountFrom' in content) return;
  const location = started.headers.location;
  if (started.status !== 202 || !location) throw refused(`an upload to ${repository}`, started);
  const url = new URL(location, urlOf(registry, '/'));
  url.searchParams.set('digest', blob.digest);
  // A registry that does not mount (another storage, no rights on the source) opened an upload instead: the bytes go through the builder.
  const body = 'mountFrom' in content ? await downloaded(registry, call, content, blob) : content;
  const put = await call({ method: 'PUT', url, headers: { 'content-type': 'application/octet-stream' }, body });
  if (put.status !== 201) throw refused(`blob ${blob.digest} (${blob.size} bytes)`, put);
}

/** A blob of another repository in `cacheDir`, by digest (kept: the next push of the same base needs it again). */
async function downloaded(registry: Registry, call: Sender, content: { mountFrom: string; cacheDir: string }, blob: Blob): Promise<{ file: string; size: number }> {
  const file = path.join(content.cacheDir, `${blob.digest.replace(/^sha256:/, '')}.blob`);
  const cached = await stat(file).catch(() => undefined);
  if (cached?.size === blob.size) return { file, size: blob.size };
  await mkdir(content.cacheDir, { recursive: true });
  const partial = `${file}.${randomUUID()}.partial`;
  try {
    const reply = await call({ method: 'GET', url: urlOf(registry, `/v2/${content.mountFrom}/blobs/${blob.digest}`), saveTo: partial });
    if (reply.status !== 200) throw refused(`a download of blob ${blob.digest} from ${content.mountFrom}`, reply);
    const saved = await stat(partial);
    if (saved.size !== blob.size) throw new Error(`blob ${blob.digest} of ${content.mountFrom} has ${saved.size} bytes, its manifest says ${blob.size}`);
    await rename(partial, file);
  } finally {
    await rm(partial, { force: true });
  }
  return { file, size: blob.size };
}
