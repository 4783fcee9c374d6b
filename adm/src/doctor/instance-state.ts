import { existsSync, readFileSync, statSync } from 'node:fs';
import { publicKeyOf } from '@trellis/platform/crypto/sealed-box';
import { SERVICES, type ServiceName } from '../catalog.js';
import { readInstanceFile } from '../instance/instance-file.js';
import type { Instance } from '../instance/instance.js';
import type { LocalSettings } from '../local/settings.js';
import {
  REPOSITORY_SECRET_KEY_VAR, RUNNER_SEALING_KEY_VAR, S3_ACCESS_KEY_VAR, S3_SECRET_KEY_VAR, SECRET_KEY_VAR, STUDIO_SECRET_KEY_VAR,
  amqpPasswordVar, parseEnvFile, postgresPasswordVar, type Secrets,
} from '../secrets.js';
import type { FoundKeys } from './keys.js';

/**
 * The instance of a state directory as the doctor reads it: never made, never written (unlike
 * `up`, which generates what is missing). Every value the environment sets wins over the file,
 * as for `up` and `env`.
 */
export type InstanceState =
  | { readonly kind: 'none'; readonly reason: string }
  | { readonly kind: 'found'; readonly instance: Instance; readonly keys: FoundKeys; readonly secrets: Secrets | undefined; readonly missing: readonly string[] };

export function readInstanceState(settings: LocalSettings, env: NodeJS.ProcessEnv): InstanceState {
  const instance = readInstanceFile(settings.paths.dir);
  if (!instance) return { kind: 'none', reason: `no Trellis instance is set up in ${settings.paths.dir} (no instance.json)` };
  if (instance.provisionedAt === null) return { kind: 'none', reason: `instance ${instance.name} in ${settings.paths.dir} was never provisioned` };
  const file = existsSync(settings.paths.secretsFile) ? parseEnvFile(readFileSync(settings.paths.secretsFile, 'utf8')) : new Map<string, string>();
  const value = (name: string): string | undefined => env[name] || file.get(name) || undefined;
  const missing: string[] = [];
  const need = (name: string): string => {
    const found = value(name);
    if (found === undefined) missing.push(name);
    return found ?? '';
  };
  const perService = (varOf: (s: ServiceName) => string) => Object.fromEntries(SERVICES.map((s) => [s.name, need(varOf(s.name))])) as Record<ServiceName, string>;
  const secrets: Secrets = {
    postgres: perService(postgresPasswordVar),
    amqp: perService(amqpPasswordVar),
    s3AccessKey: need(S3_ACCESS_KEY_VAR),
    s3SecretKey: need(S3_SECRET_KEY_VAR),
    secretKey: need(SECRET_KEY_VAR),
    repositorySecretKey: need(REPOSITORY_SECRET_KEY_VAR),
    studioSecretKey: need(STUDIO_SECRET_KEY_VAR),
    runnerSealingKey: need(RUNNER_SEALING_KEY_VAR),
  };
  const runnerSealingKey = value(RUNNER_SEALING_KEY_VAR);
  let runnerPublicKey: string | undefined;
  try {
    runnerPublicKey = runnerSealingKey ? publicKeyOf(runnerSealingKey) : undefined;
  } catch {
    runnerPublicKey = undefined;
  }
  const keys: FoundKeys = {
    secretKey: value(SECRET_KEY_VAR),
    secretKeyFromEnv: Boolean(env[SECRET_KEY_VAR]),
    repositorySecretKey: value(REPOSITORY_SECRET_KEY_VAR),
    studioSecretKey: value(STUDIO_SECRET_KEY_VAR),
    runnerSealingKey,
    runnerPublicKey,
    secretsFileOpen: existsSync(settings.paths.secretsFile) && (statSync(settings.paths.secretsFile).mode & 0o077) !== 0,
  };
  return { kind: 'found', instance, keys, secrets: missing.length === 0 ? secrets : undefined, missing };
}
