import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@trellis/platform/config';
import { makeTokenVerifier, remoteKeys } from '@trellis/platform/auth/tokens';
import { makeLogger } from '@trellis/platform/logger';
import { envSchema } from '../src/infrastructure/config.js';
import { startAuthorization } from '../src/infrastructure/start-authorization.js';
import { ADMIN_PASSWORD, peek, sleep, startTestAuthorization, useAuthorization } from './support.js';

// Rotation every 2 s, checked every second: a key is replaced during the test while its tokens still live (15 min).
const service = useAuthorization({ TRELLIS_SIGNING_KEY_ROTATION_SECONDS: '2' });

describe('signing keys', () => {
  it('rotates, and keeps a retired key published while the tokens it signed live', async () => {
    const first = await service.login('admin', ADMIN_PASSWORD);
    const firstKid = peek(first.access_token).header['kid'];
    await sleep(3500);
    const second = await service.login('admin', ADMIN_PASSWORD);
    const secondKid = peek(second.access_token).header['kid'];
    expect(secondKid).not.toBe(firstKid);

    const kids = (await service.call('GET', '/.well-known/jwks.json')).body.keys.map((key: { kid: string }) => key.kid);
    expect(kids).toEqual(expect.arrayContaining([firstKid, secondKid]));
    expect((await service.call('GET', '/me', { token: first.access_token })).status).toBe(200);

    // Every other service verifies with the published JWKS over HTTP: both keys' tokens pass there too.
    const verify = makeTokenVerifier({ keys: remoteKeys(`${service.app.url}/.well-known/jwks.json`) });
    for (const token of [first.access_token, second.access_token]) {
      expect(await verify(token)).toMatchObject({ ok: true, caller: { via: 'token', username: 'admin', isAdmin: true, projectId: first.project_id, role: 'owner' } });
    }

    const rows = await service.database.db.selectFrom('signing_keys').select(['kid', 'retired_at']).execute();
    expect(rows.find((row) => row.kid === firstKid)?.retired_at).toBeInstanceOf(Date);
    expect(rows.filter((row) => row.retired_at === null)).toHaveLength(1);
  });

  it('stores the private key sealed, never as a PEM or JWK in clear', async () => {
    const rows = await service.database.db.selectFrom('signing_keys').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const sealed = row.private_key_sealed;
      expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      expect(sealed).not.toMatch(/PRIVATE KEY|"d"|"kty"|OKP/);
      const [, , , ciphertext] = sealed.split('.');
      const bytes = Buffer.from(ciphertext ?? '', 'base64url').toString('latin1');
      expect(bytes).not.toMatch(/"d"|"kty"|Ed25519|PRIVATE/);
      expect(sealed).not.toContain(row.public_jwk['x']);
      expect(row.public_jwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String) });
    }
  });

  it('refuses to start with another secret key than the one that sealed the stored keys', async () => {
    const env = loadConfig(envSchema, { ...service.env, TRELLIS_SECRET_KEY: randomBytes(32).toString('base64') });
    await expect(startAuthorization(env, { version: 'test', logger: makeLogger({ service: 'authorization', silent: true }) })).rejects.toThrow(/TRELLIS_SECRET_KEY does not open the stored signing keys/);
  });
});

describe('TRELLIS_SECRET_KEY', () => {
  it.each([
    ['absent', undefined, /TRELLIS_SECRET_KEY: required: must be 32 random bytes in base64.*\(not set\)/],
    ['too short', randomBytes(16).toString('base64'), /TRELLIS_SECRET_KEY: must be 32 random bytes in base64.*\(value hidden\)/],
    ['not base64', 'this is not a key at all, not even close!!', /TRELLIS_SECRET_KEY: must be 32 random bytes/],
  ])('fails fast when %s, without printing the value', async (_case, value, message) => {
    const base = { TRELLIS_DATABASE_URL: 'postgres://x@localhost/x', TRELLIS_AMQP_URL: 'amqp://localhost' };
    const env = value === undefined ? base : { ...base, TRELLIS_SECRET_KEY: value };
    expect(() => loadConfig(envSchema, env)).toThrow(message);
    if (value) expect(() => loadConfig(envSchema, env)).not.toThrow(value);
  });

  it('makes the first key of a new instance at start', async () => {
    const fresh = await startTestAuthorization();
    try {
      const rows = await fresh.database.db.selectFrom('signing_keys').select(['kid', 'retired_at']).execute();
      expect(rows).toEqual([{ kid: expect.any(String), retired_at: null }]);
    } finally {
      await fresh.close();
    }
  });
});
