import { describe, expect, it } from 'vitest';
import { generateSealingKeyPair } from '@trellis/platform/crypto/sealed-box';
import { SERVICES } from '../catalog.js';
import type { Secrets } from '../secrets.js';
import { localPlan } from './plan.js';
import { localSettingsFromEnv } from './settings.js';

const runnerKeys = generateSealingKeyPair();
const secrets: Secrets = {
  postgres: Object.fromEntries(SERVICES.map((s) => [s.name, `pg-${s.name}`])) as Secrets['postgres'],
  amqp: Object.fromEntries(SERVICES.map((s) => [s.name, `mq-${s.name}`])) as Secrets['amqp'],
  s3AccessKey: 'S3ACCESS',
  s3SecretKey: 's3-secret',
  secretKey: 'c2VjcmV0LWtleS1vZi0zMi1ieXRlcy0tLS0tLS0tLS0=',
  repositorySecretKey: 'cmVwb3NpdG9yeS1rZXktb2YtMzItYnl0ZXMtLS0tLS0=',
  studioSecretKey: 'c3R1ZGlvLWtleS1vZi0zMi1ieXRlcy0tLS0tLS0tLS0=',
  runnerSealingKey: runnerKeys.privateKey,
};

describe('the local plan', () => {
  const env = {
    TRELLIS_SECRET_KEY: 'from-the-shell', TRELLIS_ADMIN_PASSWORD: 'shell admin password', TRELLIS_LOG_LEVEL: 'debug', TRELLIS_AUTHORIZATION_PORT: '9101',
    TRELLIS_STUDIO_SECRET_KEY: 'studio key from the shell', TRELLIS_RUNNER_SEALING_KEY: 'sealing key from the shell', TRELLIS_SEALING_KEY: 'stray', TRELLIS_RUNNER_PUBLIC_KEY: 'stray',
  };
  const settings = localSettingsFromEnv(env);
  const plan = localPlan(settings, secrets, 'the admin password', { command: 'nginx', args: [], accessLog: '/dev/null' }, env);
  const child = (name: string) => plan.children.find((c) => c.name === name);

  it('gives the secret key and the admin password to authorization only, and the repository and studio a secret key of their own', () => {
    expect(child('authorization')?.env).toMatchObject({ TRELLIS_SECRET_KEY: secrets.secretKey, TRELLIS_ADMIN_PASSWORD: 'the admin password' });
    expect(child('repository')?.env).toMatchObject({ TRELLIS_SECRET_KEY: secrets.repositorySecretKey });
    expect(child('studio')?.env).toMatchObject({ TRELLIS_SECRET_KEY: secrets.studioSecretKey });
    for (const own of ['repository', 'studio']) expect(child(own)?.env['TRELLIS_ADMIN_PASSWORD'], own).toBeUndefined();
    for (const other of ['action-builder', 'runner', 'object-store', 'gateway']) {
      expect(child(other)?.env['TRELLIS_SECRET_KEY'], other).toBeUndefined();
      expect(child(other)?.env['TRELLIS_ADMIN_PASSWORD'], other).toBeUndefined();
    }
    for (const process of plan.children) {
      for (const instanceKey of ['TRELLIS_REPOSITORY_SECRET_KEY', 'TRELLIS_STUDIO_SECRET_KEY', 'TRELLIS_RUNNER_SEALING_KEY']) {
        expect(process.env[instanceKey], `${process.name} ${instanceKey}`).toBeUndefined();
      }
    }
  });

  it('gives the runner its private sealing key, studio the matching public key, and no other process either', () => {
    expect(child('runner')?.env['TRELLIS_SEALING_KEY']).toBe(runnerKeys.privateKey);
    expect(child('studio')?.env['TRELLIS_RUNNER_PUBLIC_KEY']).toBe(runnerKeys.publicKey);
    for (const other of plan.children.filter((c) => c.name !== 'runner')) expect(other.env['TRELLIS_SEALING_KEY'], other.name).toBeUndefined();
    for (const other of plan.children.filter((c) => c.name !== 'studio')) expect(other.env['TRELLIS_RUNNER_PUBLIC_KEY'], other.name).toBeUndefined();
  });

  it('names the variable when the runner\'s sealing key is malformed', () => {
    expect(() => localPlan(settings, { ...secrets, runnerSealingKey: 'too-short' }, undefined, { command: 'nginx', args: [], accessLog: '/dev/null' }, {}))
      .toThrow('TRELLIS_RUNNER_SEALING_KEY: the sealing private key must be a raw X25519 key');
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

  it('runs the object store and the services in threads of the supervisor unless told to run a process each; the gateway is nginx', () => {
    for (const name of ['object-store', ...SERVICES.map((s) => s.name)]) expect(child(name)?.runIn, name).toBe('thread');
    expect(child('gateway')?.runIn).toBeUndefined();
    const apart = localPlan(localSettingsFromEnv({ ...env, TRELLIS_LOCAL_SERVICES: 'processes' }), secrets, undefined, { command: 'nginx', args: [], accessLog: '/dev/null' }, env);
    for (const spec of apart.children.filter((c) => c.name !== 'gateway')) expect(spec.runIn, spec.name).toBe('process');
    expect(() => localSettingsFromEnv({ TRELLIS_LOCAL_SERVICES: 'one' })).toThrow(/TRELLIS_LOCAL_SERVICES=one: say threads .* or processes/);
  });

  it('says the migrations were run only when the caller ran them', () => {
    expect(plan.setupDone).toBeUndefined();
    expect(localPlan(settings, secrets, undefined, { command: 'nginx', args: [], accessLog: '/dev/null' }, env, { setupDone: true }).setupDone).toBe(true);
  });

  it('passes the caller\'s other settings through', () => {
    expect(child('studio')?.env['TRELLIS_LOG_LEVEL']).toBe('debug');
  });
});
