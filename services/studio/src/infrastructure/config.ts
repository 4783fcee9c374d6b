/**
 * Studio's environment, on top of what every tenant service reads (docs/configuration.md):
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | TRELLIS_SECRET_KEY | required | studio's own 32 random bytes, base64 (`openssl rand -base64 32`): seals the project secrets at rest (AES-256-GCM, bound to project and name). It must stay the same: with another key the stored secrets cannot be opened |
 * | TRELLIS_RUNNER_PUBLIC_KEY | required | the runner's X25519 public key (32 bytes, base64; not secret): every project secret travels to the runner sealed to it |
 */
import { z } from 'zod';
import { sealingPublicKey, secretKey, tenantServiceEnvShape } from '@trellis/platform/config';

export const envSchema = z.object({
  ...tenantServiceEnvShape(8102),
  TRELLIS_SECRET_KEY: secretKey,
  TRELLIS_RUNNER_PUBLIC_KEY: sealingPublicKey,
});

export type Env = z.output<typeof envSchema>;
