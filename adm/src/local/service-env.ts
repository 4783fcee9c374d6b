import path from 'node:path';
import { publicKeyOf } from '@trellis/platform/crypto/sealed-box';
import { accountOf, type ServiceInfo } from '../catalog.js';
import { RUNNER_SEALING_KEY_VAR, type Secrets } from '../secrets.js';
import type { LocalSettings } from './settings.js';

/**
 * Variables that configure trellis-adm itself and must not reach a service as they are (a
 * service gets its own key under its own name from `serviceEnv`, never another's).
 */
const ADMIN_ONLY = /^(TRELLIS_PG_ADMIN_URL|TRELLIS_SECRET_KEY|TRELLIS_REPOSITORY_SECRET_KEY|TRELLIS_STUDIO_SECRET_KEY|TRELLIS_RUNNER_SEALING_KEY|TRELLIS_SEALING_KEY|TRELLIS_RUNNER_PUBLIC_KEY|TRELLIS_ADMIN_PASSWORD|TRELLIS_RABBITMQ_.*|TRELLIS_.*_(DB|AMQP)_PASSWORD|TRELLIS_STATE_DIR|TRELLIS_SERVICES_DIR|TRELLIS_WEBUI_DIST)$/;

/** The supervisor's environment for children: ours, without admin credentials. */
export function baseEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && !ADMIN_ONLY.test(e[0])));
}

export function objectStoreEndpoint(settings: LocalSettings): string {
  return `http://127.0.0.1:${settings.s3Port}`;
}

/**
 * The contract between the local set-up and a service: the only variables a service reads.
 * Compose and Kubernetes set the same names.
 */
export function serviceEnv(settings: LocalSettings, secrets: Secrets, service: ServiceInfo, adminPassword: string | undefined): Record<string, string> {
  const account = accountOf(settings.namePrefix, service.name);
  const env: Record<string, string> = {
    TRELLIS_HTTP_HOST: '127.0.0.1',
    TRELLIS_HTTP_PORT: String(settings.servicePorts[service.name]),
    TRELLIS_DATABASE_URL: `postgres://${account}:${encodeURIComponent(secrets.postgres[service.name])}@${settings.pgHost}:${settings.pgPort}/${account}`,
    TRELLIS_AMQP_URL: `amqp://${account}:${encodeURIComponent(secrets.amqp[service.name])}@${settings.amqpHost}:${settings.amqpPort}/${encodeURIComponent(settings.vhost)}`,
  };
  if (service.usesObjectStore) {
    Object.assign(env, {
      TRELLIS_S3_ENDPOINT: objectStoreEndpoint(settings),
      TRELLIS_S3_ACCESS_KEY: secrets.s3AccessKey,
      TRELLIS_S3_SECRET_KEY: secrets.s3SecretKey,
      TRELLIS_S3_BUCKET: settings.bucket,
      TRELLIS_S3_REGION: settings.region,
    });
  }
  // Builds unpack and install in the instance's own folder (make reset removes it with the rest).
  if (service.name === 'action-builder') env['TRELLIS_BUILD_WORK_DIR'] = path.join(settings.paths.dir, 'action-builder');
  if (service.name === 'authorization') {
    // Only read when authorization creates the admin; unknown once the instance has one.
    if (adminPassword !== undefined) env['TRELLIS_ADMIN_PASSWORD'] = adminPassword;
    env['TRELLIS_SECRET_KEY'] = secrets.secretKey;
  } else {
    env['TRELLIS_AUTH_JWKS_URL'] = `http://127.0.0.1:${settings.servicePorts.authorization}/authorization/.well-known/jwks.json`;
  }
  // The repository seals its sources' credentials with a key of its own, never authorization's,
  // and installs the standard library in every project: the release's actions/, which it commits
  // into a repository in its work folder (the instance's own: two checkouts on one machine never
  // share it), or the operator's URL (`off`: none).
  if (service.name === 'repository') {
    env['TRELLIS_SECRET_KEY'] = secrets.repositorySecretKey;
    env['TRELLIS_SCAN_WORK_DIR'] = path.join(settings.paths.dir, 'repository');
    if ('url' in settings.standardLibrary) env['TRELLIS_STANDARD_LIBRARY_URL'] = settings.standardLibrary.url;
    else env['TRELLIS_STANDARD_LIBRARY_DIR'] = settings.standardLibrary.dir;
  }
  // Studio keeps the project secrets under a key of its own and seals each one for the runner's
  // public key (not secret); only the runner holds the private key that opens them.
  if (service.name === 'studio') {
    env['TRELLIS_SECRET_KEY'] = secrets.studioSecretKey;
    env['TRELLIS_RUNNER_PUBLIC_KEY'] = runnerPublicKey(secrets.runnerSealingKey);
  }
  if (service.name === 'runner') {
    env['TRELLIS_SEALING_KEY'] = secrets.runnerSealingKey;
    // The docker site labels its containers and names its network with it.
    env['TRELLIS_INSTANCE'] = settings.instanceName;
  }
  return env;
}

function runnerPublicKey(privateKey: string): string {
  try {
    return publicKeyOf(privateKey);
  } catch (error) {
    throw new Error(`${RUNNER_SEALING_KEY_VAR}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
