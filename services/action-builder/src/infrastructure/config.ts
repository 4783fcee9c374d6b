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
});

export type Env = z.output<typeof envSchema>;
