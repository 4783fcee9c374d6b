import type { Kysely } from 'kysely';
import { makeApiKeyVerifier } from '@trellis/platform/auth/api-keys';
import { makeAuthenticator, type Authenticator } from '@trellis/platform/auth/authenticate';
import { makeApiKeyLookup } from './postgres/api-key-lookup.js';
import type { Database } from './postgres/schema.js';
import type { KeyStore } from './tokens/key-store.js';
import { makeLiveTokenVerifier } from './tokens/token-verifier.js';

/** Access tokens from our own key store (no HTTP call to ourselves), API keys from our own table. */
export function makeAuthorizationAuthenticator(options: { db: Kysely<Database>; keyStore: KeyStore; apiKeyCacheMs: number }): Authenticator {
  return makeAuthenticator({
    verifyToken: makeLiveTokenVerifier({ keyStore: options.keyStore, db: options.db }),
    verifyApiKey: makeApiKeyVerifier({ lookup: makeApiKeyLookup(options.db), cacheMs: options.apiKeyCacheMs }),
  });
}
