import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { httpUrl, millis, objectStoreEnvShape, tenantServiceEnvShape } from '@trellis/platform/config';

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

export const envSchema = z.object({
  ...tenantServiceEnvShape(8104),
  ...objectStoreEnvShape,
  /** Builds one process runs at once. */
  TRELLIS_BUILD_PARALLELISM: z.coerce.number().int().min(1).max(64).default(1),
  /** Where builds unpack, install and pack (and npm's and pip's caches). */
  TRELLIS_BUILD_WORK_DIR: z.string().min(1).default(path.join(tmpdir(), 'trellis-action-builder')),
  /** A running build is this process's for this long without a renewal (renewed every third of it). */
  TRELLIS_BUILD_LEASE_MS: millis.min(1000).default(30_000),
  /** The slow fallback: how often an idle builder looks for work without being woken. */
  TRELLIS_BUILD_POLL_MS: millis.min(100).default(10_000),
  TRELLIS_BUILD_TIMEOUT_MS: millis.min(1000).default(15 * 60_000),
  /** A build that stopped its builder this many times (killed, out of memory) fails instead of starting again. */
  TRELLIS_BUILD_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(3),
  TRELLIS_BUILD_LOG_MAX_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
  TRELLIS_BUILD_PYTHON: z.string().min(1).default('python3'),
  /** npm's registry for Node actions' dependencies (default npm's own). */
  TRELLIS_NPM_REGISTRY: optional(httpUrl),
  /** pip's package index for Python actions' dependencies (default PyPI); a file:// URL works too. */
  TRELLIS_PIP_INDEX_URL: optional(z.string().regex(/^(https?|file):\/\//, 'expected an http(s):// or file:// URL')),
  /** A folder or page of distributions pip also looks in. */
  TRELLIS_PIP_FIND_LINKS: optional(z.string().min(1)),
  /**
   * Images for the docker and kubernetes sites (docs/images.md): `none` makes none, `docker` loads
   * every build's image into the local Docker engine, `registry` pushes it to TRELLIS_IMAGE_REGISTRY.
   */
  TRELLIS_IMAGES: z.enum(['none', 'docker', 'registry']).default('none'),
  /** The image every action image starts from (infra/images/build-base.sh makes it). */
  TRELLIS_IMAGE_BASE: z.string().min(1).default('trellis/action-base:latest'),
  /** `host[:port]/prefix`: images are pushed as <host>/<prefix>/<action id>; needed by TRELLIS_IMAGES=registry. */
  TRELLIS_IMAGE_REGISTRY: optional(z.string().regex(/^[A-Za-z0-9.-]+(:\d+)?(\/[a-z0-9._/-]*[a-z0-9])?$/, 'expected host[:port]/prefix, e.g. registry.example.com/trellis')),
  TRELLIS_IMAGE_REGISTRY_USER: optional(z.string().min(1)),
  TRELLIS_IMAGE_REGISTRY_PASSWORD: optional(z.string().min(1)),
  /** 1: the registry speaks plain HTTP. */
  TRELLIS_IMAGE_REGISTRY_INSECURE: z.enum(['0', '1', '']).default('0').transform((value) => value === '1'),
});

export type Env = z.output<typeof envSchema>;
