import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '../secrets.js';
import { LEGACY_NAME, defaultInstanceName, nameProblem, type Instance } from './instance.js';

export const INSTANCE_FILE = 'instance.json';

/** Which instance a state directory stands for, and why. */
export type InstanceChoice = {
  readonly name: string;
  /** file: .trellis/instance.json; env: TRELLIS_INSTANCE; legacy: a .trellis/ of an older trellis-adm; default: derived from the paths. */
  readonly source: 'file' | 'env' | 'legacy' | 'default';
};

export function readInstanceFile(stateDir: string): Instance | undefined {
  const file = join(stateDir, INSTANCE_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<Instance>;
  if (parsed.version !== 1 || typeof parsed.name !== 'string' || typeof parsed.id !== 'string' || typeof parsed.stateDir !== 'string') {
    throw new Error(`${file} is not an instance file of this trellis-adm; move it away, or start over with \`make reset\``);
  }
  return parsed as Instance;
}

export async function writeInstanceFile(instance: Instance): Promise<void> {
  await writePrivateFile(join(instance.stateDir, INSTANCE_FILE), `${JSON.stringify(instance, null, 2)}\n`);
}

/**
 * The instance name of a state directory: the one in its instance file; else TRELLIS_INSTANCE;
 * else `trellis` for a state directory an older trellis-adm made (it has secrets but no instance
 * file: its resources are the unmarked `trellis_*`); else one derived from the paths.
 */
export function chooseInstanceName(stateDir: string, checkout: string, env: NodeJS.ProcessEnv): InstanceChoice {
  const requested = env['TRELLIS_INSTANCE'];
  if (requested) {
    const problem = nameProblem(requested);
    if (problem) throw new Error(`TRELLIS_INSTANCE: ${problem}`);
  }
  const file = readInstanceFile(stateDir);
  // A name only counts once something was provisioned under it; before that TRELLIS_INSTANCE may still change it.
  if (file && (file.provisionedAt !== null || !requested)) return { name: file.name, source: 'file' };
  if (requested) return { name: requested, source: 'env' };
  if (existsSync(join(stateDir, 'secrets.env'))) return { name: LEGACY_NAME, source: 'legacy' };
  return { name: defaultInstanceName(checkout, stateDir), source: 'default' };
}

/** TRELLIS_INSTANCE may not rename an instance that was provisioned: its secrets belong to the old name. */
export function assertNotRenamed(file: Instance | undefined, env: NodeJS.ProcessEnv): void {
  const requested = env['TRELLIS_INSTANCE'];
  if (!file || !requested || requested === file.name || file.provisionedAt === null) return;
  throw new Error(
    `${file.stateDir} belongs to instance ${file.name}, but TRELLIS_INSTANCE=${requested} names another.\n` +
      `Unset TRELLIS_INSTANCE to use ${file.name}; to run ${requested} as well, give it a state directory of its own (TRELLIS_STATE_DIR=<dir>); ` +
      `to replace ${file.name}: \`make reset\` first.`,
  );
}

/**
 * The instance of a state directory, made (and written) on first use. Refuses what would mix two
 * instances: TRELLIS_INSTANCE naming another than the one provisioned from here, or a state
 * directory copied from one that still exists (same id: it would share the other's resources).
 */
export async function openInstance(stateDir: string, checkout: string, env: NodeJS.ProcessEnv, now = new Date()): Promise<Instance> {
  const choice = chooseInstanceName(stateDir, checkout, env);
  const file = readInstanceFile(stateDir);
  assertNotRenamed(file, env);
  if (file && file.stateDir !== stateDir) {
    const original = existsSync(join(file.stateDir, INSTANCE_FILE)) ? readInstanceFile(file.stateDir) : undefined;
    if (original?.id === file.id) {
      throw new Error(
        `${stateDir} is a copy of ${file.stateDir} (the same instance ${file.name}, id ${file.id}): both would use one set of databases.\n` +
          `Remove ${stateDir} (its instance belongs to the other directory), then \`make up\` makes one of its own.`,
      );
    }
    // Moved with its checkout: the same instance, found at its new place.
    const moved = { ...file, stateDir };
    await writeInstanceFile(moved);
    return moved;
  }
  if (file && file.name === choice.name) return file;
  const instance: Instance = {
    version: 1,
    name: choice.name,
    id: randomBytes(8).toString('hex'),
    stateDir,
    createdAt: now.toISOString(),
    provisionedAt: null,
    // Secrets but no instance file: an older trellis-adm made this state directory, and the unmarked resources.
    adopted: !file && existsSync(join(stateDir, 'secrets.env')),
    secretKeyCheck: null,
  };
  await writeInstanceFile(instance);
  return instance;
}
