import { describe, expect, it } from 'vitest';
import { SERVICES } from '../catalog.js';
import type { Secrets } from '../secrets.js';
import { localPlan } from './plan.js';
import { localSettingsFromEnv } from './settings.js';

const secrets: Secrets = {
  postgres: Object.fromEntries(SERVICES.map((s) => [s.name, `pg-${s.name}`])) as Secrets['postgres'],
  amqp: Object.fromEntries(SERVICES.map((s) => [s.name, `mq-${s.name}`])) as Secrets['amqp'],
  s3AccessKey: 'S3ACCESS',
  s3SecretKey: 's3-secret',
  secretKey: 'c2VjcmV0LWtleS1vZi0zMi1ieXRlcy0tLS0tLS0tLS0=',
  repositorySecretKey: 'cmVwb3NpdG9yeS1rZXktb2YtMzItYnl0ZXMtLS0tLS0=',
};

describe('the local plan', () => {
  const env = { TRELLIS_SECRET_KEY: 'from-the-shell', TRELLIS_ADMIN_PASSWORD: 'shell admin password', TRELLIS_LOG_LEVEL: 'debug', TRELLIS_AUTHORIZATION_PORT: '9101' };
  const settings = localSettingsFromEnv(env);
  const plan = localPlan(settings, secrets, 'the admin password', { command: 'nginx', args: [], accessLog: '/dev/null' }, env);
  const child = (name: string) => plan.children.find((c) => c.name === name);

  it('gives the secret key and the admin password to authorization only, and the repository a secret key of its own', () => {
    expect(child('authorization')?.env).toMatchObject({ TRELLIS_SECRET_KEY: secrets.secretKey, TRELLIS_ADMIN_PASSWORD: 'the admin password' });
    expect(child('repository')?.env).toMatchObject({ TRELLIS_SECRET_KEY: secrets.repositorySecretKey });
    expect(child('repository')?.env['TRELLIS_ADMIN_PASSWORD']).toBeUndefined();
    expect(child('repository')?.env['TRELLIS_REPOSITORY_SECRET_KEY']).toBeUndefined();
    for (const other of ['studio', 'action-builder', 'runner', 'object-store', 'gateway']) {
      expect(child(other)?.env['TRELLIS_SECRET_KEY'], other).toBeUndefined();
      expect(child(other)?.env['TRELLIS_ADMIN_PASSWORD'], other).toBeUndefined();
    }
  });

  it('points every other service at authorization\'s published keys, on its configured port', () => {
    for (const other of ['studio', 'repository', 'action-builder', 'runner']) {
      expect(child(other)?.env['TRELLIS_AUTH_JWKS_URL']).toBe('http://127.0.0.1:9101/authorization/.well-known/jwks.json');
    }
  });

  it('does not restart a service that exits for a configuration reason (78), but does restart the rest', () => {
    for (const service of SERVICES) expect(child(service.name)?.fatalExitCodes, service.name).toEqual([78]);
    expect(child('object-store')?.fatalExitCodes).toBeUndefined();
    expect(child('gateway')?.fatalExitCodes).toBeUndefined();
  });

  it('passes the caller\'s other settings through', () => {
    expect(child('studio')?.env['TRELLIS_LOG_LEVEL']).toBe('debug');
  });
});
