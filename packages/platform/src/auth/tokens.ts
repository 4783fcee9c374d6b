import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { isRole, type Caller } from './access.js';

export const TOKEN_ISSUER = 'trellis';
export const TOKEN_AUDIENCE = 'trellis';
export const TOKEN_ALGORITHM = 'EdDSA';

/**
 * The claims of a Trellis access token: `sub` user id, `name` username, `adm` instance admin,
 * `pid` current project (absent when the user has none), `role` in it, `sid` the refresh-token
 * family (session), `jti` the token id.
 */
export type AccessTokenClaims = {
  sub: string;
  name: string;
  adm: boolean;
  pid?: string;
  role?: string;
  sid: string;
  jti: string;
};

export type TokenOutcome = { ok: true; caller: Caller } | { ok: false; reason: 'expired' | 'invalid' };

/** Verifies access tokens with the published keys; `keys` is a remote JWKS (other services) or the key store (authorization). */
export function makeTokenVerifier(options: { keys: JWTVerifyGetKey; clockToleranceSeconds?: number }) {
  return async (token: string): Promise<TokenOutcome> => {
    try {
      const { payload } = await jwtVerify(token, options.keys, {
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        algorithms: [TOKEN_ALGORITHM],
        clockTolerance: options.clockToleranceSeconds ?? 5,
        requiredClaims: ['sub', 'jti', 'exp', 'iat'],
      });
      const role = payload['role'];
      const projectId = typeof payload['pid'] === 'string' ? payload['pid'] : null;
      if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string') return { ok: false, reason: 'invalid' };
      if (projectId !== null && !isRole(role)) return { ok: false, reason: 'invalid' };
      return {
        ok: true,
        caller: {
          via: 'token',
          credentialId: payload.jti,
          userId: payload.sub,
          username: typeof payload['name'] === 'string' ? payload['name'] : null,
          isAdmin: payload['adm'] === true,
          projectId,
          role: projectId !== null && isRole(role) ? role : null,
          sessionId: typeof payload['sid'] === 'string' ? payload['sid'] : null,
        },
      };
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
      if (error instanceof errors.JOSEError) return { ok: false, reason: 'invalid' };
      // The key set could not be fetched (authorization unreachable): a failure of the world, not of the caller.
      throw error;
    }
  };
}

/**
 * Authorization's published keys, fetched on first use, cached, and fetched again when a token
 * names a key id we do not know (a rotation), at most once per `cooldownMs`.
 */
export function remoteKeys(jwksUrl: string, options: { cooldownMs?: number; cacheMaxAgeMs?: number } = {}): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksUrl), {
    cooldownDuration: options.cooldownMs ?? 30_000,
    cacheMaxAge: options.cacheMaxAgeMs ?? 10 * 60_000,
    timeoutDuration: 5000,
  });
}
