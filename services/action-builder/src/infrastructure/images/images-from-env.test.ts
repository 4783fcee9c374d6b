import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@trellis/platform/config';
import { envSchema } from '../config.js';
import { imagesFromEnv, registryFromEnv } from './images-from-env.js';

const required = {
  TRELLIS_HTTP_PORT: '0', TRELLIS_DATABASE_URL: 'postgres://x/y', TRELLIS_AMQP_URL: 'amqp://x', TRELLIS_S3_ENDPOINT: 'http://s3',
  TRELLIS_S3_ACCESS_KEY: 'a', TRELLIS_S3_SECRET_KEY: 'b', TRELLIS_S3_BUCKET: 'trellis',
};
const env = (extra: Record<string, string>) => loadConfig(envSchema, { ...required, ...extra });

describe('images from the environment', () => {
  it('makes none by default, on trellis/action-base:latest when asked', () => {
    expect(env({}).TRELLIS_IMAGES).toBe('none');
    expect(imagesFromEnv(env({}), '/work/own')).toBeUndefined();
    expect(imagesFromEnv(env({ TRELLIS_IMAGES: 'docker' }), '/work/own')?.settings).toMatchObject({ base: 'trellis/action-base:latest', registry: undefined, scratchDir: '/work/own/images' });
  });

  it.each([
    ['registry.example.com/trellis', { host: 'registry.example.com', prefix: 'trellis', insecure: false }],
    ['127.0.0.1:5000/team/actions', { host: '127.0.0.1:5000', prefix: 'team/actions', insecure: false }],
    ['registry.local:5000', { host: 'registry.local:5000', prefix: '', insecure: false }],
  ])('reads TRELLIS_IMAGE_REGISTRY=%s', (value, expected) => {
    expect(registryFromEnv(env({ TRELLIS_IMAGES: 'registry', TRELLIS_IMAGE_REGISTRY: value }))).toMatchObject(expected);
  });

  it('takes credentials and plain HTTP; refuses a registry that is not host[:port]/prefix, and registry mode without one', () => {
    expect(registryFromEnv(env({ TRELLIS_IMAGE_REGISTRY: 'r.example/x', TRELLIS_IMAGE_REGISTRY_USER: 'u', TRELLIS_IMAGE_REGISTRY_PASSWORD: 'p', TRELLIS_IMAGE_REGISTRY_INSECURE: '1' })))
      .toEqual({ host: 'r.example', prefix: 'x', user: 'u', password: 'p', insecure: true });
    expect(() => env({ TRELLIS_IMAGE_REGISTRY: 'https://r.example/x' })).toThrow(ConfigError);
    expect(() => env({ TRELLIS_IMAGES: 'pushed' })).toThrow(ConfigError);
    expect(() => imagesFromEnv(env({ TRELLIS_IMAGES: 'registry' }), '/work/own')).toThrow(/needs TRELLIS_IMAGE_REGISTRY/);
  });
});
