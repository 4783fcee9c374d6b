import { mkdirSync } from 'node:fs';
import { localSettingsFromEnv } from '../local/settings.js';
import { provisionAll } from '../provision/provision-all.js';
import { postgresAdminFromEnv } from '../provision/postgres.js';
import { rabbitAdminFromEnv } from '../provision/rabbitmq.js';
import { loadSecrets } from '../secrets.js';
import type { Output } from './output.js';

/**
 * Only the provisioning (for a compose or Kubernetes job): databases and roles, the broker's
 * vhost, users and exchanges, and the bucket when TRELLIS_S3_ENDPOINT is set. Credentials come
 * from the environment (TRELLIS_<SVC>_DB_PASSWORD, TRELLIS_<SVC>_AMQP_PASSWORD, TRELLIS_S3_*
 * keys); any that is not set is generated into .trellis/secrets.env.
 */
export async function provision(out: Output, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const settings = localSettingsFromEnv(env);
  mkdirSync(settings.paths.dir, { recursive: true, mode: 0o700 });
  const secrets = await loadSecrets(settings.paths.secretsFile, env);
  const endpoint = env['TRELLIS_S3_ENDPOINT'];
  out.step('provisioning');
  const { changes } = await provisionAll(
    {
      namePrefix: settings.namePrefix,
      vhost: settings.vhost,
      secrets,
      postgres: postgresAdminFromEnv(env),
      rabbitmq: rabbitAdminFromEnv(env),
      ...(endpoint
        ? { objectStore: { endpoint, accessKey: secrets.s3AccessKey, secretKey: secrets.s3SecretKey, bucket: settings.bucket, region: settings.region } }
        : {}),
    },
    (line) => out.detail(line),
  );
  out.step(changes.length === 0 ? 'everything was already in place' : `done (${changes.length} changes)`);
  return 0;
}
