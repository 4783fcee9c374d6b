import { createHash } from 'node:crypto';
import { authorizedSender, refused, urlOf, type Registry, type Sender } from './registry-auth.js';
import type { BaseImage } from './image-config.js';

/** A layer as a manifest describes it. */
export type Descriptor = { readonly mediaType: string; readonly digest: string; readonly size: number };

/** The base image as a registry holds it: what the config needs, and its layers' blobs to mount. */
export type RegistryBase = { readonly image: BaseImage; readonly repository: string; readonly layers: readonly Descriptor[] };

const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** Docker's layer types as their OCI equal (the same bytes), so the action's OCI manifest names only OCI types. */
const OCI_LAYER_OF: Readonly<Record<string, string>> = {
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'application/vnd.oci.image.layer.v1.tar+gzip',
};

/** `<registry host>/<repository>[:tag][@digest]` read; undefined when the reference names another host. */
export function baseInRegistry(registry: Registry, reference: string): { repository: string; reference: string } | undefined {
  if (!reference.startsWith(`${registry.host}/`)) return undefined;
  const rest = reference.slice(registry.host.length + 1);
  const at = rest.indexOf('@');
  if (at >= 0) return { repository: rest.slice(0, at).replace(/:[^/]*$/, ''), reference: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(':');
  return colon > rest.lastIndexOf('/') ? { repository: rest.slice(0, colon), reference: rest.slice(colon + 1) } : { repository: rest, reference: 'latest' };
}

const ARCHITECTURES: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64' };

/**
 * The base image from the registry the images go to (no Docker engine needed, as in a Kubernetes
 * pod): its manifest (for an index, the one for this machine's platform), its config's diffIDs
 * and platform, its layers' descriptors. Undefined when the registry does not have it.
 */
export async function readRegistryBase(registry: Registry, source: { repository: string; reference: string }, display: string): Promise<RegistryBase | undefined> {
  const call = authorizedSender(registry, [`repository:${source.repository}:pull`]);
  let manifest = await getManifest(registry, call, source.repository, source.reference);
  if (!manifest) return undefined;
  if (manifest.manifests) {
    const architecture = ARCHITECTURES[process.arch] ?? process.arch;
    const chosen = manifest.manifests.find((entry) => entry.platform?.os === 'linux' && entry.platform.architecture === architecture);
    if (!chosen) throw new Error(`the base image ${display} has no linux/${architecture} image`);
    manifest = await getManifest(registry, call, source.repository, chosen.digest);
    if (!manifest) throw new Error(`the base image ${display} names ${chosen.digest}, which the registry does not have`);
  }
  if (!manifest.config || !manifest.layers) throw new Error(`the base image ${display} has no image manifest`);
  const config = await call({ method: 'GET', url: urlOf(registry, `/v2/${source.repository}/blobs/${manifest.config.digest}`) });
  if (config.status !== 200) throw refused(`the config of the base image ${display}`, config);
  if (sha256(config.body) !== manifest.config.digest) throw new Error(`the config of the base image ${display} does not match its digest`);
  const parsed = JSON.parse(config.body.toString('utf8')) as { architecture: string; os: string; rootfs: { diff_ids: string[] } };
  if (parsed.rootfs.diff_ids.length !== manifest.layers.length) throw new Error(`the base image ${display} has ${manifest.layers.length} layers and ${parsed.rootfs.diff_ids.length} diffIDs`);
  return {
    image: { reference: display, diffIds: parsed.rootfs.diff_ids, architecture: parsed.architecture, os: parsed.os },
    repository: source.repository,
    layers: manifest.layers.map((layer) => ({ mediaType: OCI_LAYER_OF[layer.mediaType] ?? layer.mediaType, digest: layer.digest, size: layer.size })),
  };
}

type Manifest = { config?: Descriptor; layers?: Descriptor[]; manifests?: (Descriptor & { platform?: { os?: string; architecture?: string } })[] };

async function getManifest(registry: Registry, call: Sender, repository: string, reference: string): Promise<Manifest | undefined> {
  const reply = await call({ method: 'GET', url: urlOf(registry, `/v2/${repository}/manifests/${reference}`), headers: { accept: ACCEPT } });
  if (reply.status === 404) return undefined;
  if (reply.status !== 200) throw refused(`the manifest ${repository}:${reference}`, reply);
  if (reference.startsWith('sha256:') && sha256(reply.body) !== reference) throw new Error(`the manifest ${repository}@${reference} does not match its digest`);
  return JSON.parse(reply.body.toString('utf8')) as Manifest;
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
