import { SignJWT } from 'jose';
import { TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER, type AccessTokenClaims } from '@trellis/platform/auth/tokens';
import type { AccessTokenSigner } from '../../application/ports.js';
import type { KeyStore } from './key-store.js';

/** EdDSA (Ed25519) JWTs with the `kid` of the active key, claims exactly as the platform reads them. */
export function makeAccessTokenSigner(options: { keyStore: KeyStore; ttlSeconds: number }): AccessTokenSigner {
  return async (claims, now) => {
    const { kid, privateKey } = await options.keyStore.activeKey();
    const issuedAt = Math.floor(now.getTime() / 1000);
    const { sub, jti, ...rest } = claims satisfies AccessTokenClaims;
    const token = await new SignJWT(rest)
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid, typ: 'JWT' })
      .setSubject(sub)
      .setJti(jti)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + options.ttlSeconds)
      .sign(privateKey);
    return { token, expiresIn: options.ttlSeconds };
  };
}
