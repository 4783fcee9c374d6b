import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../auth/tokens.js';

export type TestTokenClaims = {
  projectId?: string | null;
  role?: string;
  userId?: string;
  username?: string;
  isAdmin?: boolean;
  expiresInSeconds?: number;
};

export type TestJwks = {
  /** Where a service finds the keys (its TRELLIS_AUTH_JWKS_URL). */
  url: string;
  /** An access token shaped as authorization issues them, signed with the published key. */
  sign: (claims?: TestTokenClaims) => Promise<string>;
  close: () => Promise<void>;
};

/** A stand-in for authorization's published keys, for testing a service alone. */
export async function startTestJwks(): Promise<TestJwks> {
  const key = await generateKeyPair('EdDSA', { extractable: true });
  const body = JSON.stringify({ keys: [{ ...(await exportJWK(key.publicKey)), kid: 'test-key', alg: 'EdDSA', use: 'sig' }] });
  const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('JWKS server has no address');
  return {
    url: `http://127.0.0.1:${address.port}/authorization/.well-known/jwks.json`,
    sign: async (claims = {}) => {
      const now = Math.floor(Date.now() / 1000);
      const projectClaims = claims.projectId === null ? {} : { pid: claims.projectId ?? randomUUID(), role: claims.role ?? 'viewer' };
      return new SignJWT({ name: claims.username ?? 'ada', adm: claims.isAdmin ?? false, sid: randomUUID(), ...projectClaims })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'test-key' })
        .setSubject(claims.userId ?? randomUUID()).setJti(randomUUID()).setIssuer(TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE)
        .setIssuedAt(now - 5).setExpirationTime(now + (claims.expiresInSeconds ?? 900))
        .sign(key.privateKey);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
