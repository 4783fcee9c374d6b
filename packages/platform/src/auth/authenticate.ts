import type { Caller } from './access.js';
import type { TokenOutcome } from './tokens.js';

export type Authentication = { ok: true; caller: Caller } | { ok: false; reason: 'missing' | 'expired' | 'invalid' };

/** Reads `Authorization: Bearer <access token | API key>` and says who the caller is. */
export function makeAuthenticator(options: {
  verifyToken: (token: string) => Promise<TokenOutcome>;
  verifyApiKey: (key: string) => Promise<Caller | undefined>;
}) {
  return async (authorizationHeader: string | undefined): Promise<Authentication> => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorizationHeader ?? '');
    const credential = match?.[1];
    if (!credential) return { ok: false, reason: 'missing' };
    if (credential.startsWith('trk_')) {
      const caller = await options.verifyApiKey(credential);
      return caller ? { ok: true, caller } : { ok: false, reason: 'invalid' };
    }
    return options.verifyToken(credential);
  };
}

export type Authenticator = ReturnType<typeof makeAuthenticator>;
