/**
 * Studio's environment, on top of what every tenant service reads and the object store's
 * TRELLIS_S3_* variables (docs/configuration.md):
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | TRELLIS_SECRET_KEY | required | studio's own 32 random bytes, base64 (`openssl rand -base64 32`): seals the project secrets at rest (AES-256-GCM, bound to project and name). It must stay the same: with another key the stored secrets cannot be opened |
 * | TRELLIS_RUNNER_PUBLIC_KEY | required | the runner's X25519 public key (32 bytes, base64; not secret): every project secret travels to the runner sealed to it |
 * | TRELLIS_SITE_DEFAULT | local | where the actions of a workflow whose document names no `site` run: local, docker or kubernetes. On docker and kubernetes every action version it uses needs an image for that site, or the deploy is refused (`image_missing`) |
 * | TRELLIS_UPLOAD_MAX_BYTES | 1073741824 (1 GiB, the gateway's ceiling) | the largest file `POST /studio/files` takes: a larger declared length is refused at once, a chunked body cut off past it (413) |
 */
import { z } from 'zod';
import { objectStoreEnvShape, sealingPublicKey, secretKey, tenantServiceEnvShape } from '@trellis/platform/config';
import { SITE_NAMES } from '@trellis/workflow-language/resources';

/** 1 GiB, the gateway's ceiling. */
export const DEFAULT_UPLOAD_MAX_BYTES = 1024 * 1024 * 1024;

export const envSchema = z.object({
  ...tenantServiceEnvShape(8102),
  ...objectStoreEnvShape,
  TRELLIS_SECRET_KEY: secretKey,
  TRELLIS_RUNNER_PUBLIC_KEY: sealingPublicKey,
  TRELLIS_SITE_DEFAULT: z.enum(SITE_NAMES).default('local'),
  TRELLIS_UPLOAD_MAX_BYTES: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).default(DEFAULT_UPLOAD_MAX_BYTES),
});

export type Env = z.output<typeof envSchema>;
