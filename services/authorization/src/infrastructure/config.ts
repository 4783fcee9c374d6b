/**
 * Authorization's environment, on top of what every service reads (docs/configuration.md):
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | TRELLIS_ADMIN_PASSWORD | — | read only at the very first start, to create `admin` |
 * | TRELLIS_SECRET_KEY | required | 32 random bytes, base64 (`openssl rand -base64 32`): seals the token-signing private keys at rest (AES-256-GCM). It must stay the same for the life of the instance: with another key authorization cannot open the stored keys and refuses to start (exit 78) |
 * | TRELLIS_ACCESS_TOKEN_TTL_SECONDS | 900 | lifetime of an access token |
 * | TRELLIS_REFRESH_TOKEN_TTL_SECONDS | 2592000 (30 days) | lifetime of a refresh token; each refresh issues a new one |
 * | TRELLIS_SIGNING_KEY_ROTATION_SECONDS | 604800 (7 days) | age at which the signing key is replaced; checked at start and periodically |
 * | TRELLIS_API_KEY_CACHE_MS | 30000 | how long an accepted API key is remembered (a revoked key is refused at most this long after) |
 * | TRELLIS_LOGIN_MAX_FAILURES | 10 | consecutive failures for one username before it is locked for a growing delay |
 * | TRELLIS_LOGIN_MAX_FAILURES_PER_ADDRESS | 100 | the same, for one client address (many users may share one) |
 * | TRELLIS_LOGIN_LOCKOUT_BASE_MS | 1000 | the first delay; it doubles with every further failure |
 * | TRELLIS_LOGIN_LOCKOUT_MAX_MS | 900000 (15 min) | the longest delay |
 */
import { z } from 'zod';
import { authEnvShape, serviceEnvShape, secretKey } from '@trellis/platform/config';

const seconds = z.coerce.number().int().min(1);

export const envSchema = z.object({
  ...serviceEnvShape,
  TRELLIS_HTTP_PORT: serviceEnvShape.TRELLIS_HTTP_PORT.default(8101),
  /** Read only while the instance has no user yet; ignored afterwards. */
  TRELLIS_ADMIN_PASSWORD: z.string().optional(),
  TRELLIS_SECRET_KEY: secretKey,
  TRELLIS_ACCESS_TOKEN_TTL_SECONDS: seconds.max(86_400).default(900),
  TRELLIS_REFRESH_TOKEN_TTL_SECONDS: seconds.default(30 * 86_400),
  TRELLIS_SIGNING_KEY_ROTATION_SECONDS: seconds.default(7 * 86_400),
  TRELLIS_API_KEY_CACHE_MS: authEnvShape.TRELLIS_API_KEY_CACHE_MS,
  TRELLIS_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(10),
  TRELLIS_LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(100),
  TRELLIS_LOGIN_LOCKOUT_BASE_MS: z.coerce.number().int().min(1).default(1000),
  TRELLIS_LOGIN_LOCKOUT_MAX_MS: z.coerce.number().int().min(1).default(900_000),
});

export type Env = z.output<typeof envSchema>;
