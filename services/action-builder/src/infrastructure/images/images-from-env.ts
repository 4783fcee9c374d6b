import path from 'node:path';
import Docker from 'dockerode';
import { ConfigError } from '@trellis/platform/config';
import type { ImageBuilder } from '../../application/ports.js';
import type { Env } from '../config.js';
import { makeImageBuilder, type ImageSettings } from './image-builder.js';
import type { Registry } from './registry-push.js';

/** TRELLIS_IMAGE_REGISTRY (`host[:port]/prefix`) and its credentials. */
export function registryFromEnv(env: Env): Registry {
  const value = env.TRELLIS_IMAGE_REGISTRY;
  if (value === undefined) throw new ConfigError('TRELLIS_IMAGES=registry needs TRELLIS_IMAGE_REGISTRY (host[:port]/prefix)');
  const slash = value.indexOf('/');
  return {
    host: slash < 0 ? value : value.slice(0, slash),
    prefix: slash < 0 ? '' : value.slice(slash + 1),
    user: env.TRELLIS_IMAGE_REGISTRY_USER,
    password: env.TRELLIS_IMAGE_REGISTRY_PASSWORD,
    insecure: env.TRELLIS_IMAGE_REGISTRY_INSECURE,
  };
}

/**
 * The image builder TRELLIS_IMAGES asks for, on the Docker engine of DOCKER_HOST (default
 * /var/run/docker.sock); undefined for `none`. `ownDir` is this process's own work folder.
 */
export function imagesFromEnv(env: Env, ownDir: string): { builder: ImageBuilder; settings: ImageSettings } | undefined {
  if (env.TRELLIS_IMAGES === 'none') return undefined;
  const settings: ImageSettings = {
    base: env.TRELLIS_IMAGE_BASE,
    scratchDir: path.join(ownDir, 'images'),
    cacheDir: path.join(env.TRELLIS_BUILD_WORK_DIR, 'cache', 'image-layers'),
    registry: env.TRELLIS_IMAGES === 'registry' ? registryFromEnv(env) : undefined,
  };
  return { builder: makeImageBuilder(new Docker(), settings), settings };
}
