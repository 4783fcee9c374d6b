import { createHash, randomBytes } from 'node:crypto';
import { generateApiKey } from '@trellis/platform/auth/api-keys';
import type { Secrets } from '../../application/ports.js';

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

/**
 * Refresh tokens are `trr_` + 32 random bytes (256 bits): the prefix lets secret scanners and
 * people recognise one. Like API keys, they carry enough entropy that a fast hash suffices.
 */
export function makeSecrets(): Secrets {
  return {
    refreshToken: () => {
      const token = `trr_${randomBytes(32).toString('base64url')}`;
      return { token, sha256: sha256(token) };
    },
    hashRefreshToken: sha256,
    apiKey: generateApiKey,
  };
}
