import { randomBytes } from 'node:crypto';
import { generateSealingKeyPair } from '@trellis/platform/crypto/sealed-box';
import { SERVICES } from '../catalog.js';
import {
  REPOSITORY_SECRET_KEY_VAR,
  RUNNER_SEALING_KEY_VAR,
  S3_ACCESS_KEY_VAR,
  S3_SECRET_KEY_VAR,
  SECRET_KEY_VAR,
  STUDIO_SECRET_KEY_VAR,
  amqpPasswordVar,
  postgresPasswordVar,
  randomToken,
} from '../secrets.js';

/** Credentials of things outside the cluster's Trellis: the operator gives them, never generated. */
export const EXTERNAL_SECRET_KEYS = [
  'TRELLIS_PG_ADMIN_URL',
  'TRELLIS_RABBITMQ_ADMIN_USER',
  'TRELLIS_RABBITMQ_ADMIN_PASSWORD',
  S3_ACCESS_KEY_VAR,
  S3_SECRET_KEY_VAR,
] as const;

export type Generators = { readonly token: () => string; readonly key: () => string; readonly sealingPair: () => { privateKey: string; publicKey: string } };

export const realGenerators: Generators = {
  // URL-safe: the passwords are placed inside postgres:// and amqp:// URLs.
  token: () => randomToken(32),
  key: () => randomBytes(32).toString('base64'),
  sealingPair: generateSealingKeyPair,
};

/**
 * The Secret trellis-secrets' values (the keys of infra/k8s/secret.example.yaml): new passwords
 * and keys, the runner's key pair as `trellis-adm keys runner` makes it, and the external
 * credentials from `given` (the values file's `secrets`, then the environment). `given` wins for
 * any key, so an operator can pin a password. Returns the keys still missing, and the keys made
 * here (`generated`: a cluster's existing values win over these, never over given ones).
 */
export function secretValues(given: Readonly<Record<string, string | undefined>>, gen: Generators = realGenerators): { data: Record<string, string>; missing: string[]; generated: string[] } {
  const pair = gen.sealingPair();
  const data: Record<string, string> = {
    TRELLIS_ADMIN_PASSWORD: gen.token(),
    [SECRET_KEY_VAR]: gen.key(),
    [REPOSITORY_SECRET_KEY_VAR]: gen.key(),
    [STUDIO_SECRET_KEY_VAR]: gen.key(),
    [RUNNER_SEALING_KEY_VAR]: pair.privateKey,
    TRELLIS_RUNNER_PUBLIC_KEY: pair.publicKey,
  };
  for (const service of SERVICES) {
    data[postgresPasswordVar(service.name)] = gen.token();
    data[amqpPasswordVar(service.name)] = gen.token();
  }
  const missing: string[] = [];
  for (const key of EXTERNAL_SECRET_KEYS) {
    const value = given[key];
    if (value === undefined || value === '') missing.push(key);
    else data[key] = value;
  }
  const givenKeys = Object.entries(given).filter(([, value]) => value !== undefined && value !== '').map(([key]) => key);
  const generated = Object.keys(data).filter((key) => !givenKeys.includes(key));
  for (const key of givenKeys) data[key] = given[key] as string;
  return { data, missing, generated };
}
