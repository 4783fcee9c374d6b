import { existsSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { assertNotRenamed, readInstanceFile } from '../instance/instance-file.js';
import type { Instance } from '../instance/instance.js';
import { resettable, type FoundResource } from '../instance/ownership.js';
import { localSettingsFromEnv } from '../local/settings.js';
import { stopSupervisor } from '../local/supervisor-control.js';
import { countResources, dropInstanceResources, findInstanceResources } from '../provision/instance-resources.js';
import { postgresAdminFromEnv } from '../provision/postgres.js';
import { rabbitAdminFromEnv } from '../provision/rabbitmq.js';
import type { Output } from './output.js';

/** Asks on the terminal; undefined when there is none to ask on (a pipe, CI). */
export type Confirm = (question: string) => Promise<boolean | undefined>;

export const askOnTerminal: Confirm = async (question) => {
  if (!process.stdin.isTTY) return undefined;
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await terminal.question(question)).trim().toLowerCase() === 'yes';
  } finally {
    terminal.close();
  }
};

/** The state directory goes whole, but only when it is one: `.trellis/` of the checkout, or a directory trellis-adm wrote. */
function removeStateDir(dir: string, checkout: string): void {
  const ours = dir === join(checkout, '.trellis') || ['instance.json', 'secrets.env', 'state.json'].some((file) => existsSync(join(dir, file)));
  const precious = [resolve('/'), homedir(), checkout].includes(resolve(dir));
  if (!ours || precious) throw new Error(`${dir} (TRELLIS_STATE_DIR) does not look like a Trellis state directory: it was not removed`);
  rmSync(dir, { recursive: true, force: true });
}

function listing(found: readonly FoundResource[]): string[] {
  const kinds: FoundResource['kind'][] = ['database', 'role', 'vhost', 'broker user'];
  return kinds
    .map((kind) => [kind, found.filter((r) => r.kind === kind).map((r) => `${r.name}${r.mark ? '' : kind === 'broker user' ? '' : ' (no instance mark)'}`)] as const)
    .filter(([, names]) => names.length > 0)
    .map(([kind, names]) => `${kind}${names.length > 1 ? 's' : ''}: ${names.join(', ')}`);
}

/**
 * `reset [--yes]`: starts over for real. Stops everything, then drops this instance's databases,
 * roles, vhost (its queues and exchanges) and broker users, and removes its state directory (its
 * secrets, admin password, logs and the object store with its bucket). Asks first, unless --yes.
 * Never touches what another checkout's instance owns.
 */
export async function reset(out: Output, args: readonly string[], env: NodeJS.ProcessEnv = process.env, confirm: Confirm = askOnTerminal): Promise<number> {
  const yes = args.includes('--yes') || args.includes('-y');
  const settings = localSettingsFromEnv(env);
  const { paths } = settings;
  const file = readInstanceFile(paths.dir);
  assertNotRenamed(file, env);
  // Without an instance file (.trellis/ is gone), what an earlier start of this state directory left is still found by its marks.
  const instance: Instance = file?.name === settings.instanceName
    ? file
    : { version: 1, name: settings.instanceName, id: '-', stateDir: paths.dir, createdAt: '', provisionedAt: null, adopted: false, secretKeyCheck: null };
  const admins = { postgres: postgresAdminFromEnv(env), rabbitmq: rabbitAdminFromEnv(env) };

  const found = await findInstanceResources(admins, instance.name, (line) => out.detail(line));
  const verdict = resettable(instance, found);
  if (!verdict.ok) throw new Error(verdict.reason);
  const hasState = existsSync(paths.dir);
  if (verdict.drop.length === 0 && !hasState) {
    out.step(`nothing to reset: instance ${instance.name} has no databases, roles, vhost or broker users, and ${paths.dir} does not exist`);
    return 0;
  }

  out.step(`reset deletes instance ${instance.name} of ${paths.dir}, and everything in it:`);
  for (const line of listing(verdict.drop)) out.detail(line);
  if (hasState) out.detail(`${paths.dir}: its secrets, admin password, logs, and the object store with bucket ${settings.bucket}`);
  if (!yes) {
    const answer = await confirm('Type "yes" to delete them: ');
    if (answer === undefined) {
      out.step('nothing was deleted: confirm with `make reset yes=1` (or `trellis-adm reset --yes`)');
      return 2;
    }
    if (!answer) {
      out.step('nothing was deleted');
      return 1;
    }
  }

  const { wasRunning, strays } = await stopSupervisor(paths.stateFile);
  if (wasRunning || strays.length > 0) out.detail(`stopped what ran${strays.length > 0 ? ` (${strays.join(', ')})` : ''}`);
  await dropInstanceResources(admins, verdict.drop);
  if (verdict.drop.length > 0) out.detail(`dropped ${countResources(verdict.drop)}`);
  if (hasState) {
    removeStateDir(paths.dir, settings.root);
    out.detail(`removed ${paths.dir}`);
  }
  out.step(`instance ${instance.name} is gone; \`make up\` starts a new one`);
  return 0;
}
