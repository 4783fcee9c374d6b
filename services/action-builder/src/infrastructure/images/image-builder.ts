import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import type { BuildFailure, ImageBuilder, StepContext } from '../../application/ports.js';
import type { Build } from '../../domain/build.js';
import { makeArtifactLayer, UnsafeArtifact, type ArtifactLayer } from './artifact-layer.js';
import { baseLayerFiles, inspectBase, loadImage } from './docker-engine.js';
import { imageConfig, short, tagSafe, type BaseImage, type ImageConfig } from './image-config.js';
import { baseInRegistry, readRegistryBase, type RegistryBase } from './registry-base.js';
import { OCI_CONFIG, OCI_LAYER_TAR, pushImage, repositoryOf, type Blob, type Registry } from './registry-push.js';

export type ImageSettings = {
  /**
   * The image every action image starts from: in the Docker engine, or (with a registry, when the
   * reference names the registry's host) in the registry, where its layers are mounted from.
   */
  readonly base: string;
  /** Where an image's layer is written while it is made (the process's own folder: a killed process's leftovers are swept). */
  readonly scratchDir: string;
  /** Where the base's layer bytes are kept for pushes, by digest. */
  readonly cacheDir: string;
  /** Undefined: images are loaded into the Docker engine. */
  readonly registry: Registry | undefined;
};

/** The local engine's images serve the docker site only; a registry's serve both. */
export const sitesServed = (settings: Pick<ImageSettings, 'registry'>): readonly string[] => (settings.registry ? ['docker', 'kubernetes'] : ['docker']);

/** Docker's local name of an action image: `trellis-actions/<id>:<version>-<12 hex of the image id>`. */
export const localTag = (build: Pick<Build, 'actionId' | 'version'>, config: ImageConfig): string =>
  `trellis-actions/${build.actionId}:${tagSafe(build.version)}-${short(config.digest)}`;

/**
 * Makes the image of every build (whatever sites it asked for, the sites this builder serves
 * too): the artifact's layer on the base, then loaded into the Docker engine or pushed to the
 * registry. A missing base is a failure its operator can fix; an engine or registry that fails
 * is thrown (the build fails as unexpected, and the build log says what happened).
 */
export function makeImageBuilder(docker: Docker, settings: ImageSettings): ImageBuilder {
  const served = sitesServed(settings);
  return async ({ build, artifact, sites }, context) => {
    const unserved = sites.filter((site) => !served.includes(site));
    if (unserved.length > 0) context.log.write(`[image] no image for ${unserved.join(', ')}: only a registry's images serve it (TRELLIS_IMAGES=registry)`);
    context.log.write(`[image] building the image for ${served.join(', ')} on ${settings.base}`);
    const dir = path.join(settings.scratchDir, randomUUID());
    try {
      const found = await findBase(docker, settings);
      if (!found.ok) return found;
      const { base, inRegistry } = found.value;
      const layer = await makeArtifactLayer(artifact.file, path.join(dir, 'artifact'), path.join(dir, 'layer.tar'));
      context.signal.throwIfAborted();
      context.log.write(`[image] artifact layer ${layer.diffId} (${layer.size} bytes)`);
      const config = imageConfig({ base, layerDiffId: layer.diffId, action: { id: build.actionId, version: build.version, runtime: layer.runtime }, artifactDigest: artifact.digest });
      context.log.write(`[image] image id ${config.digest}`);
      const reference = await publish(docker, settings, { build, base, inRegistry, layer, config }, context);
      const images = served.map((site) => `${site}=${reference}`);
      for (const image of images) context.log.write(`[image] ${image}`);
      return ok(images);
    } catch (error) {
      if (error instanceof UnsafeArtifact) return rejected({ reason: error.message });
      // The engine or the registry failed (unreachable, refused): the build fails as unexpected, and its log says why.
      if (!context.signal.aborted) context.log.write(`[image] failed: ${(error as Error).message}`);
      throw error;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

/** The base from the registry when TRELLIS_IMAGE_BASE names an image there, else from the Docker engine; a missing one is the operator's to make. */
async function findBase(docker: Docker, settings: ImageSettings): Promise<Result<{ base: BaseImage; inRegistry: RegistryBase | undefined }, BuildFailure>> {
  const source = settings.registry ? baseInRegistry(settings.registry, settings.base) : undefined;
  if (settings.registry && source) {
    const found = await readRegistryBase(settings.registry, source, settings.base);
    if (!found) return rejected({ reason: `the action base image ${settings.base} is not in the registry: push it with infra/images/build-base.sh --push ${settings.registry.host}/${source.repository}` });
    return ok({ base: found.image, inRegistry: found });
  }
  const base = await inspectBase(docker, settings.base);
  if (!base) return rejected({ reason: `the action base image ${settings.base} is not in the Docker engine: run infra/images/build-base.sh` });
  return ok({ base, inRegistry: undefined });
}

type Made = { build: Build; base: BaseImage; inRegistry: RegistryBase | undefined; layer: ArtifactLayer; config: ImageConfig };

/** The image where its sites find it; its reference. */
async function publish(docker: Docker, settings: ImageSettings, made: Made, context: StepContext): Promise<string> {
  const tag = localTag(made.build, made.config);
  if (!settings.registry) {
    await loadImage(docker, { config: made.config, base: made.base, layer: made.layer, tag });
    context.log.write(`[image] loaded into the Docker engine as ${tag}`);
    return tag;
  }
  const registry = settings.registry;
  const layers: Blob[] = [
    ...(await baseBlobs(docker, settings, made)),
    { mediaType: OCI_LAYER_TAR, digest: made.layer.diffId, size: made.layer.size, content: { file: made.layer.file, size: made.layer.size } },
  ];
  const configBytes = Buffer.from(made.config.json);
  const config: Blob = { mediaType: OCI_CONFIG, digest: made.config.digest, size: configBytes.length, content: configBytes };
  const repository = repositoryOf(registry, made.build.actionId);
  const version = tag.slice(tag.lastIndexOf(':') + 1);
  context.log.write(`[image] pushing ${registry.host}/${repository}:${version}`);
  const digest = await pushImage(registry, repository, { config, layers, tag: version });
  return `${registry.host}/${repository}@${digest}`;
}

/** The base's layers for the push: mounted from the base's repository, or the engine's bytes (`docker save`, cached). */
async function baseBlobs(docker: Docker, settings: ImageSettings, made: Made): Promise<Blob[]> {
  const inRegistry = made.inRegistry;
  if (inRegistry) return inRegistry.layers.map((layer) => ({ ...layer, content: { mountFrom: inRegistry.repository, cacheDir: settings.cacheDir } }));
  const files = await baseLayerFiles(docker, made.base, settings.cacheDir);
  return made.base.diffIds.map((diffId) => {
    const file = files.get(diffId);
    if (!file) throw new Error(`no bytes for the base layer ${diffId}`);
    return { mediaType: OCI_LAYER_TAR, digest: diffId, size: file.size, content: file };
  });
}
