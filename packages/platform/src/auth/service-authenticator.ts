import type { Kysely } from 'kysely';
import { makeApiKeyVerifier, makeReplicatedApiKeys } from './api-keys.js';
import { makeAuthenticator, type Authenticator } from './authenticate.js';
import { makeTokenVerifier, remoteKeys } from './tokens.js';

/**
 * The authenticator of every service but authorization: access tokens checked against
 * authorization's published keys, API keys against this service's replicated `api_keys` table.
 */
export function makeServiceAuthenticator(options: {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema that has the api_keys table
  db: Kysely<any>;
  jwksUrl: string;
  apiKeyCacheMs: number;
}): Authenticator {
  return makeAuthenticator({
    verifyToken: makeTokenVerifier({ keys: remoteKeys(options.jwksUrl) }),
    verifyApiKey: makeApiKeyVerifier({ lookup: makeReplicatedApiKeys(options.db).lookup, cacheMs: options.apiKeyCacheMs }),
  });
}
