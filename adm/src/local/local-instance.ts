import { mkdirSync } from 'node:fs';
import { openInstance, writeInstanceFile } from '../instance/instance-file.js';
import { secretKeyCheck, secretKeyProblem, type Instance } from '../instance/instance.js';
import { judge, type FoundResource } from '../instance/ownership.js';
import { dropInstanceResources, findInstanceResources, type Admins } from '../provision/instance-resources.js';
import { loadAdminPassword, loadSecrets, type AdminPassword, type Secrets } from '../secrets.js';
import type { LocalSettings } from './settings.js';

export type LocalInstance = { readonly instance: Instance; readonly secrets: Secrets; readonly admin: AdminPassword };

/**
 * The instance of this state directory with its secrets, made on first use. Refuses a secret key
 * that is not the one the instance was started with (authorization could not open its signing keys).
 */
export async function openLocalInstance(settings: LocalSettings, env: NodeJS.ProcessEnv): Promise<LocalInstance> {
  mkdirSync(settings.paths.dir, { recursive: true, mode: 0o700 });
  const instance = await openInstance(settings.paths.dir, settings.root, env);
  if (instance.name !== settings.instanceName) throw new Error(`instance ${instance.name} opened where ${settings.instanceName} was expected`);
  const secrets = await loadSecrets(settings.paths.secretsFile, env);
  const problem = secretKeyProblem(instance, secrets.secretKey, Boolean(env['TRELLIS_SECRET_KEY']));
  if (problem) throw new Error(problem);
  const admin = await loadAdminPassword(settings.paths.adminPasswordFile, env, instance.provisionedAt === null);
  return { instance, secrets, admin };
}

/**
 * Before provisioning: looks at what carries the instance's name on PostgreSQL and RabbitMQ and
 * either goes on, or drops what an earlier start of this state directory left (its secrets are
 * gone with the old `.trellis/`: nobody could open it), or refuses with what to do.
 */
export async function clearTheWay(instance: Instance, admins: Admins, log: (line: string) => void): Promise<{ leftovers: readonly FoundResource[] }> {
  const found = await findInstanceResources(admins, instance.name, log);
  const verdict = judge(instance, found);
  switch (verdict.kind) {
    case 'refuse':
      throw new Error(verdict.reason);
    case 'start over':
      await dropInstanceResources(admins, verdict.leftovers);
      return { leftovers: verdict.leftovers };
    case 'provision':
      return { leftovers: [] };
  }
}

/** After provisioning: the instance owns its resources now, and remembers the key its signing keys are sealed with. */
export async function recordProvisioned(instance: Instance, secrets: Secrets, now = new Date()): Promise<Instance> {
  const recorded: Instance = { ...instance, provisionedAt: instance.provisionedAt ?? now.toISOString(), secretKeyCheck: secretKeyCheck(secrets.secretKey) };
  if (JSON.stringify(recorded) !== JSON.stringify(instance)) await writeInstanceFile(recorded);
  return recorded;
}
