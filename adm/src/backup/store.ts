import { spawn } from 'node:child_process';
import { makeObjectStore } from '@trellis/platform/object-store';
import type { Client } from 'minio';
import { localPlan } from '../local/plan.js';
import { objectStoreEndpoint } from '../local/service-env.js';
import type { LocalSettings } from '../local/settings.js';
import type { Secrets } from '../secrets.js';

export type OpenStore = { readonly client: Client; readonly bucket: string; readonly close: () => Promise<void> };

async function answers(endpoint: string): Promise<boolean> {
  try {
    await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * The instance's bucket. The local object store runs in the platform's supervisor; when nothing
 * answers (the platform is stopped), the same object store server is started for the time of
 * the command, on the instance's data, and stopped after.
 */
export async function openStore(settings: LocalSettings, secrets: Secrets, env: NodeJS.ProcessEnv, say: (text: string) => void): Promise<OpenStore> {
  const endpoint = objectStoreEndpoint(settings);
  const { client } = makeObjectStore({ endpoint, accessKey: secrets.s3AccessKey, secretKey: secrets.s3SecretKey, bucket: settings.bucket, region: settings.region });
  if (await answers(endpoint)) return { client, bucket: settings.bucket, close: async () => undefined };
  const spec = localPlan(settings, secrets, undefined, { command: 'true', args: [], accessLog: '' }, env).children.find((child) => child.name === 'object-store');
  if (!spec) throw new Error('no object store in the local plan');
  say(`the object store is not running: starting it for this command (${endpoint})`);
  const child = spawn(spec.command, [...spec.args], { cwd: spec.cwd, env: spec.env, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the object store did not start (exit ${child.exitCode}): \`trellis-adm up\` shows why in its logs`);
    if (await client.bucketExists(settings.bucket).catch(() => false)) return { client, bucket: settings.bucket, close };
    if (Date.now() > deadline) {
      await close();
      throw new Error(`the object store did not answer at ${endpoint} within a minute`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
