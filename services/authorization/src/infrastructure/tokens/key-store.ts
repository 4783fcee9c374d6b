import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { errors, type JWK, type JWTVerifyGetKey } from 'jose';
import type { Kysely } from 'kysely';
import { TOKEN_ALGORITHM } from '@trellis/platform/auth/tokens';
import type { SecretBox } from '@trellis/platform/crypto/secret-box';
import type { Database } from '../postgres/schema.js';

type KeyRow = { kid: string; publicJwk: Record<string, string>; sealed: string; createdAt: Date; retiredAt: Date | null };

export type Jwks = { keys: JWK[] };

/**
 * The signing keys as every replica sees them: read from the database, kept for `refreshMs`
 * (so a key rotated by another replica is picked up soon), and read again at once when a
 * token names a key id we do not know yet. Private keys are unsealed only when they sign.
 */
export function makeKeyStore(options: { db: Kysely<Database>; box: SecretBox; refreshMs?: number; now?: () => number }) {
  const refreshMs = options.refreshMs ?? 60_000;
  const now = options.now ?? Date.now;
  let cache: { at: number; keys: KeyRow[] } | undefined;
  let loading: Promise<KeyRow[]> | undefined;
  let lastForcedLoad = 0;
  const privateKeys = new Map<string, KeyObject>();
  const publicKeys = new Map<string, KeyObject>();

  async function load(): Promise<KeyRow[]> {
    const rows = await options.db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').execute();
    const keys = rows.map((row) => ({ kid: row.kid, publicJwk: row.public_jwk, sealed: row.private_key_sealed, createdAt: row.created_at, retiredAt: row.retired_at }));
    cache = { at: now(), keys };
    return keys;
  }

  async function keys(force = false): Promise<KeyRow[]> {
    if (!force && cache && now() - cache.at < refreshMs) return cache.keys;
    loading ??= load().finally(() => {
      loading = undefined;
    });
    return loading;
  }

  function privateKeyOf(row: KeyRow): KeyObject {
    let key = privateKeys.get(row.kid);
    if (!key) {
      key = createPrivateKey({ key: JSON.parse(options.box.open(row.sealed, row.kid)) as JsonWebKey, format: 'jwk' });
      privateKeys.set(row.kid, key);
    }
    return key;
  }

  function publicKeyOf(row: KeyRow): KeyObject {
    let key = publicKeys.get(row.kid);
    if (!key) {
      key = createPublicKey({ key: row.publicJwk as JsonWebKey, format: 'jwk' });
      publicKeys.set(row.kid, key);
    }
    return key;
  }

  return {
    /** The newest active key, which signs every new access token. */
    activeKey: async (): Promise<{ kid: string; privateKey: KeyObject }> => {
      const find = (list: KeyRow[]) => list.find((key) => key.retiredAt === null);
      const row = find(await keys()) ?? find(await keys(true));
      if (!row) throw new Error('no active signing key: key rotation has not run yet');
      return { kid: row.kid, privateKey: privateKeyOf(row) };
    },

    /** Every key still published: the active one and the retired ones whose tokens may still live. */
    jwks: async (): Promise<Jwks> => ({
      keys: (await keys()).map((row) => ({ ...row.publicJwk, kid: row.kid, alg: TOKEN_ALGORITHM, use: 'sig' })),
    }),

    /** For jose's jwtVerify: our own tokens are checked against our own store, never over HTTP. */
    getKey: (async (header) => {
      let row = (await keys()).find((key) => key.kid === header.kid);
      // An unknown kid may be a key another replica just made; look again, but at most once a second.
      if (!row && header.kid && now() - lastForcedLoad > 1000) {
        lastForcedLoad = now();
        row = (await keys(true)).find((key) => key.kid === header.kid);
      }
      if (!row) throw new errors.JWKSNoMatchingKey();
      return publicKeyOf(row);
    }) satisfies JWTVerifyGetKey,

    reload: async (): Promise<void> => {
      await keys(true);
    },
  };
}

export type KeyStore = ReturnType<typeof makeKeyStore>;
