import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig, sealingPrivateKey, sealingPublicKey, serviceEnvShape } from '@trellis/platform/config';
import { generateSealingKeyPair } from '@trellis/platform/crypto/sealed-box';

describe('loadConfig', () => {
  const schema = z.object(serviceEnvShape);
  const good = {
    TRELLIS_HTTP_PORT: '8102',
    TRELLIS_DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
    TRELLIS_AMQP_URL: 'amqp://u:p@127.0.0.1:5672/trellis',
  };

  it('parses and applies defaults', () => {
    const config = loadConfig(schema, good);
    expect(config.TRELLIS_HTTP_PORT).toBe(8102);
    expect(config.TRELLIS_HTTP_HOST).toBe('127.0.0.1');
    expect(config.TRELLIS_BODY_LIMIT).toBe('1mb');
  });

  it('lists every problem at once and hides values that may hold secrets', () => {
    const attempt = () => loadConfig(schema, { TRELLIS_HTTP_PORT: 'eighty', TRELLIS_DATABASE_URL: 'mysql://root:hunter2@x/db' });
    expect(attempt).toThrow(ConfigError);
    const message = (() => { try { attempt(); return ''; } catch (error) { return (error as Error).message; } })();
    expect(message).toContain('TRELLIS_HTTP_PORT');
    expect(message).toContain('got "eighty"');
    expect(message).toContain('TRELLIS_DATABASE_URL: expected a postgres:// URL (value hidden)');
    expect(message).toContain('TRELLIS_AMQP_URL');
    expect(message).not.toContain('hunter2');
  });
});

describe('the sealing keys', () => {
  const schema = z.object({ TRELLIS_SEALING_KEY: sealingPrivateKey, TRELLIS_RUNNER_PUBLIC_KEY: sealingPublicKey });
  const message = (env: Record<string, string | undefined>) => {
    try {
      loadConfig(schema, env);
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('takes a key pair of 32 raw bytes each in base64, as the trimmed text', () => {
    const pair = generateSealingKeyPair();
    expect(loadConfig(schema, { TRELLIS_SEALING_KEY: ` ${pair.privateKey}\n`, TRELLIS_RUNNER_PUBLIC_KEY: pair.publicKey }))
      .toEqual({ TRELLIS_SEALING_KEY: pair.privateKey, TRELLIS_RUNNER_PUBLIC_KEY: pair.publicKey });
  });

  it('refuses a missing, short or non-base64 key, saying how to make one and hiding the value', () => {
    const short = Buffer.from('sixteen byte key').toString('base64');
    const text = message({ TRELLIS_SEALING_KEY: short, TRELLIS_RUNNER_PUBLIC_KEY: 'not*base64' });
    expect(text).toContain('TRELLIS_SEALING_KEY: must be the runner\'s X25519 private key: 32 bytes in base64; make a pair with `trellis-adm keys runner` (value hidden)');
    expect(text).toContain('TRELLIS_RUNNER_PUBLIC_KEY: must be the runner\'s X25519 public key');
    expect(text).not.toContain(short);
    expect(text).not.toContain('not*base64');
    expect(message({})).toContain('TRELLIS_SEALING_KEY: required: must be the runner\'s X25519 private key');
  });
});
