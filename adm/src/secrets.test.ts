import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publicKeyOf } from '@trellis/platform/crypto/sealed-box';
import { loadAdminPassword, loadSecrets, parseEnvFile, randomToken } from './secrets.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trellis-secrets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('secrets', () => {
  it('generates every credential once, keeps them in a 0600 file, and reads the same ones back', async () => {
    const file = join(dir, 'secrets.env');
    const first = await loadSecrets(file, {});
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(first.postgres['action-builder']).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(first.postgres.studio).not.toBe(first.amqp.studio);
    expect(await loadSecrets(file, {})).toEqual(first);
    expect(parseEnvFile(await readFile(file, 'utf8')).get('TRELLIS_ACTION_BUILDER_DB_PASSWORD')).toBe(first.postgres['action-builder']);
  });

  it('generates studio\'s own key and the runner\'s X25519 sealing key, each apart from the others', async () => {
    const secrets = await loadSecrets(join(dir, 'secrets.env'), {});
    expect(Buffer.from(secrets.studioSecretKey, 'base64')).toHaveLength(32);
    expect(Buffer.from(secrets.runnerSealingKey, 'base64')).toHaveLength(32);
    expect(Buffer.from(publicKeyOf(secrets.runnerSealingKey), 'base64')).toHaveLength(32);
    expect(new Set([secrets.secretKey, secrets.repositorySecretKey, secrets.studioSecretKey, secrets.runnerSealingKey]).size).toBe(4);
    const text = await readFile(join(dir, 'secrets.env'), 'utf8');
    expect(parseEnvFile(text).get('TRELLIS_RUNNER_SEALING_KEY')).toBe(secrets.runnerSealingKey);
    expect(parseEnvFile(text).get('TRELLIS_STUDIO_SECRET_KEY')).toBe(secrets.studioSecretKey);
    expect(text).not.toContain('PUBLIC_KEY'); // derived from the private key, never kept apart from it
  });

  it('takes a credential from the environment without writing it down', async () => {
    const file = join(dir, 'secrets.env');
    const secrets = await loadSecrets(file, { TRELLIS_STUDIO_DB_PASSWORD: 'from-env', TRELLIS_S3_ACCESS_KEY: 'KEYFROMENV' });
    expect(secrets.postgres.studio).toBe('from-env');
    expect(secrets.s3AccessKey).toBe('KEYFROMENV');
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('from-env');
    expect(text).not.toContain('KEYFROMENV');
  });

  it('tightens the mode of an existing secrets file', async () => {
    const file = join(dir, 'secrets.env');
    await loadSecrets(file, {});
    await writeFile(file, await readFile(file, 'utf8'), { mode: 0o644 });
    const { chmod } = await import('node:fs/promises');
    await chmod(file, 0o644);
    await loadSecrets(file, {});
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('makes tokens of the asked length and alphabet', () => {
    expect(randomToken(40)).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(randomToken(10, 'ab')).toMatch(/^[ab]{10}$/);
  });
});

describe('the admin password', () => {
  it('is generated at the first start and kept (0600)', async () => {
    const file = join(dir, 'admin-password');
    const first = await loadAdminPassword(file, {});
    expect(first.source).toBe('generated');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await loadAdminPassword(file, {})).toEqual({ password: first.password, source: 'file', envIgnored: false });
  });

  it('is not made up again after the first start when its file is gone (it would not be the admin\'s)', async () => {
    const file = join(dir, 'admin-password');
    expect(await loadAdminPassword(file, { TRELLIS_ADMIN_PASSWORD: 'too-late-now' }, false)).toEqual({ password: undefined, source: 'lost', envIgnored: true });
    await expect(readFile(file, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('comes from TRELLIS_ADMIN_PASSWORD at the first start only', async () => {
    const file = join(dir, 'admin-password');
    expect(await loadAdminPassword(file, { TRELLIS_ADMIN_PASSWORD: 'chosen-one' })).toEqual({ password: 'chosen-one', source: 'env', envIgnored: false });
    expect(await loadAdminPassword(file, { TRELLIS_ADMIN_PASSWORD: 'another' })).toEqual({ password: 'chosen-one', source: 'file', envIgnored: true });
  });
});
