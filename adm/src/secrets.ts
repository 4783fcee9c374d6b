import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateSealingKeyPair } from '@trellis/platform/crypto/sealed-box';
import { SERVICES, envIdentOf, type ServiceName } from './catalog.js';

/** Every credential a local instance needs besides the admin login. */
export type Secrets = {
  readonly postgres: Readonly<Record<ServiceName, string>>;
  readonly amqp: Readonly<Record<ServiceName, string>>;
  readonly s3AccessKey: string;
  readonly s3SecretKey: string;
  /** Encrypts what authorization keeps secret at rest (its signing keys): 32 random bytes, base64. */
  readonly secretKey: string;
  /** The repository's own key for what it keeps secret (the git sources' passwords and tokens). */
  readonly repositorySecretKey: string;
  /** Studio's own key for what it keeps secret at rest (the project secrets, before it seals them for the runner). */
  readonly studioSecretKey: string;
  /** The runner's X25519 private key (32 raw bytes, base64): it opens the project secrets sealed to its public key. */
  readonly runnerSealingKey: string;
};

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Letters and digits only, so a password is safe in any URL, config file or shell line without escaping. */
export function randomToken(length: number, alphabet = ALPHABET): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // Rejection sampling keeps every character equally likely.
      if (byte < 256 - (256 % alphabet.length)) out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

export function postgresPasswordVar(service: ServiceName): string {
  return `TRELLIS_${envIdentOf(service)}_DB_PASSWORD`;
}

export function amqpPasswordVar(service: ServiceName): string {
  return `TRELLIS_${envIdentOf(service)}_AMQP_PASSWORD`;
}

export const S3_ACCESS_KEY_VAR = 'TRELLIS_S3_ACCESS_KEY';
export const S3_SECRET_KEY_VAR = 'TRELLIS_S3_SECRET_KEY';
export const SECRET_KEY_VAR = 'TRELLIS_SECRET_KEY';
/** Given to the repository as its TRELLIS_SECRET_KEY: each service seals its secrets with a key of its own. */
export const REPOSITORY_SECRET_KEY_VAR = 'TRELLIS_REPOSITORY_SECRET_KEY';
/** Given to studio as its TRELLIS_SECRET_KEY. */
export const STUDIO_SECRET_KEY_VAR = 'TRELLIS_STUDIO_SECRET_KEY';
/** Given to the runner as its TRELLIS_SEALING_KEY; studio gets the public key derived from it (TRELLIS_RUNNER_PUBLIC_KEY). */
export const RUNNER_SEALING_KEY_VAR = 'TRELLIS_RUNNER_SEALING_KEY';

type Wanted = { name: string; generate: () => string };

function wantedSecrets(): Wanted[] {
  return [
    ...SERVICES.map((s) => ({ name: postgresPasswordVar(s.name), generate: () => randomToken(32) })),
    ...SERVICES.map((s) => ({ name: amqpPasswordVar(s.name), generate: () => randomToken(32) })),
    { name: S3_ACCESS_KEY_VAR, generate: () => randomToken(20, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') },
    { name: S3_SECRET_KEY_VAR, generate: () => randomToken(40) },
    // Losing it makes the stored signing keys unreadable (everyone logs in again); keep it with the backups.
    { name: SECRET_KEY_VAR, generate: () => randomBytes(32).toString('base64') },
    // Losing it makes the stored source credentials unreadable (they must be given again).
    { name: REPOSITORY_SECRET_KEY_VAR, generate: () => randomBytes(32).toString('base64') },
    // Losing it makes studio's stored project secrets unreadable (they must be set again).
    { name: STUDIO_SECRET_KEY_VAR, generate: () => randomBytes(32).toString('base64') },
    // With another key the runner cannot open the project secrets sealed to the old one's public key.
    { name: RUNNER_SEALING_KEY_VAR, generate: () => generateSealingKeyPair().privateKey },
  ];
}

export function parseEnvFile(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) values.set(match[1], match[2].trim());
  }
  return values;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes a file readable by its owner only, atomically (never a half-written secret). */
export async function writePrivateFile(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}

/**
 * Each value comes from the environment when set (compose and Kubernetes jobs pass them in),
 * else from the secrets file, else it is generated once and added to the file (mode 0600).
 * Values taken from the environment are never written down.
 */
export async function loadSecrets(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Secrets> {
  const text = await readIfExists(file);
  const stored = parseEnvFile(text ?? '');
  const values = new Map<string, string>();
  let generated = false;
  for (const wanted of wantedSecrets()) {
    const fromEnv = env[wanted.name];
    const fromFile = stored.get(wanted.name);
    if (fromEnv) values.set(wanted.name, fromEnv);
    else if (fromFile) values.set(wanted.name, fromFile);
    else {
      const value = wanted.generate();
      stored.set(wanted.name, value);
      values.set(wanted.name, value);
      generated = true;
    }
  }
  if (generated) {
    const lines = [...stored].map(([name, value]) => `${name}=${value}`);
    await writePrivateFile(file, `# Trellis local credentials, generated by trellis-adm. Keep private.\n${lines.join('\n')}\n`);
  } else if (text !== undefined) {
    await chmod(file, 0o600);
  }
  const get = (name: string): string => {
    const value = values.get(name);
    if (value === undefined) throw new Error(`secret ${name} missing`);
    return value;
  };
  const perService = (varOf: (s: ServiceName) => string) =>
    Object.fromEntries(SERVICES.map((s) => [s.name, get(varOf(s.name))])) as Record<ServiceName, string>;
  return {
    postgres: perService(postgresPasswordVar),
    amqp: perService(amqpPasswordVar),
    s3AccessKey: get(S3_ACCESS_KEY_VAR),
    s3SecretKey: get(S3_SECRET_KEY_VAR),
    secretKey: get(SECRET_KEY_VAR),
    repositorySecretKey: get(REPOSITORY_SECRET_KEY_VAR),
    studioSecretKey: get(STUDIO_SECRET_KEY_VAR),
    runnerSealingKey: get(RUNNER_SEALING_KEY_VAR),
  };
}

export type AdminPassword =
  | { password: string; source: 'file' | 'env' | 'generated'; envIgnored: boolean }
  /** The instance made its admin before, and the file that kept the password is gone: nobody here knows it. */
  | { password: undefined; source: 'lost'; envIgnored: boolean };

/**
 * The `admin` login: TRELLIS_ADMIN_PASSWORD at the first start, otherwise a generated one; either
 * way it is kept in the admin-password file (0600), which wins from then on, since the
 * authorization service only reads the variable when it creates the user. After the first start
 * (`firstStart` false) a missing file is not made up again: a new password would not be the admin's.
 */
export async function loadAdminPassword(file: string, env: NodeJS.ProcessEnv = process.env, firstStart = true): Promise<AdminPassword> {
  const fromEnv = env['TRELLIS_ADMIN_PASSWORD'];
  const stored = (await readIfExists(file))?.trim();
  if (stored) {
    await chmod(file, 0o600);
    return { password: stored, source: 'file', envIgnored: Boolean(fromEnv) && fromEnv !== stored };
  }
  if (!firstStart) return { password: undefined, source: 'lost', envIgnored: Boolean(fromEnv) };
  const password = fromEnv || randomToken(20);
  await writePrivateFile(file, `${password}\n`);
  return { password, source: fromEnv ? 'env' : 'generated', envIgnored: false };
}
