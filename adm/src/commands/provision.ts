import { mkdirSync } from 'node:fs';
import { LEGACY_NAME, bucketOf, markOf, markText, nameProblem } from '../instance/instance.js';
import { readInstanceFile } from '../instance/instance-file.js';
import { clearTheWay, openLocalInstance, recordProvisioned } from '../local/local-instance.js';
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
 *
 * Names: TRELLIS_INSTANCE, by default `trellis` (trellis_<service>, vhost and bucket `trellis`), as
 * compose and Kubernetes expect. Where `make up` made a local instance (.trellis/instance.json),
 * that instance is provisioned, with its names and marks.
 */
export async function provision(out: Output, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const settings = localSettingsFromEnv(env);
  const admins = { postgres: postgresAdminFromEnv(env), rabbitmq: rabbitAdminFromEnv(env) };
  const endpoint = env['TRELLIS_S3_ENDPOINT'];
  const local = readInstanceFile(settings.paths.dir) !== undefined;
  const name = local ? settings.instanceName : (env['TRELLIS_INSTANCE'] ?? LEGACY_NAME);
  const problem = nameProblem(name);
  if (problem) throw new Error(`TRELLIS_INSTANCE: ${problem}`);
  const bucket = env['TRELLIS_S3_BUCKET'] ?? bucketOf(name);

  mkdirSync(settings.paths.dir, { recursive: true, mode: 0o700 });
  const opened = local ? await openLocalInstance(settings, env) : undefined;
  const secrets = opened?.secrets ?? (await loadSecrets(settings.paths.secretsFile, env));
  out.step(`provisioning ${local ? 'instance ' : ''}${name}`);
  if (opened) await clearTheWay(opened.instance, admins, (line) => out.detail(line));
  const { changes } = await provisionAll(
    {
      namePrefix: name,
      vhost: name,
      secrets,
      ...admins,
      ...(opened ? { mark: markText(markOf(opened.instance)) } : {}),
      ...(endpoint
        ? { objectStore: { endpoint, accessKey: secrets.s3AccessKey, secretKey: secrets.s3SecretKey, bucket, region: settings.region } }
        : {}),
    },
    (line) => out.detail(line),
  );
  if (opened) await recordProvisioned(opened.instance, secrets);
  out.step(changes.length === 0 ? 'everything was already in place' : `done (${changes.length} changes)`);
  return 0;
}
