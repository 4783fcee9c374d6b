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

/** Seconds since the epoch at which a JWT expires, or undefined when it says nothing readable. */
export function expiryOf(jwt: string): number | undefined {
  const payload = jwt.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='))) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp : undefined;
  } catch {
    return undefined;
  }
}

/** Renewed ahead of time, so a request is not sent with a token that dies on the way. */
export const REFRESH_MARGIN_SECONDS = 20;

export function expiresSoon(jwt: string, nowSeconds: number): boolean {
  const expiry = expiryOf(jwt);
  return expiry !== undefined && expiry - nowSeconds < REFRESH_MARGIN_SECONDS;
}
