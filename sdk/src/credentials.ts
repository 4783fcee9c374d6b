/** A person's tokens: the access token (a JWT, short-lived) and the refresh token that renews it. */
export type Tokens = { accessToken: string; refreshToken: string; projectId: string | null };

/** How the client proves who it is: a person's tokens (renewed automatically), a bare access token, or a project API key. */
export type Credentials =
  | { kind: 'tokens'; tokens: Tokens }
  | { kind: 'accessToken'; accessToken: string }
  | { kind: 'apiKey'; apiKey: string };

/** The bearer credential to send, if any. */
export function bearerOf(credentials: Credentials | undefined): string | undefined {
  switch (credentials?.kind) {
    case 'tokens': return credentials.tokens.accessToken;
    case 'accessToken': return credentials.accessToken;
    case 'apiKey': return credentials.apiKey;
    default: return undefined;
  }
}

type Lifetime = { issuedAt: number | undefined; expiresAt: number };

/** When a JWT was issued and expires (seconds since the epoch), or undefined when it says nothing readable. */
export function lifetimeOf(jwt: string): Lifetime | undefined {
  const payload = jwt.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='))) as { exp?: unknown; iat?: unknown };
    if (typeof claims.exp !== 'number') return undefined;
    return { expiresAt: claims.exp, issuedAt: typeof claims.iat === 'number' ? claims.iat : undefined };
  } catch {
    return undefined;
  }
}

/**
 * Renewed ahead of time, so a request is not sent with a token that dies on the way: 20 s
 * before it expires, or a tenth of its life for a short-lived one.
 */
export const REFRESH_MARGIN_SECONDS = 20;

export function expiresSoon(jwt: string, nowSeconds: number): boolean {
  const lifetime = lifetimeOf(jwt);
  if (!lifetime) return false;
  const life = lifetime.issuedAt === undefined ? Infinity : lifetime.expiresAt - lifetime.issuedAt;
  return lifetime.expiresAt - nowSeconds < Math.min(REFRESH_MARGIN_SECONDS, life / 10);
}
