import { z } from 'zod';

/** Thrown before anything starts, so the process can print every problem at once and exit. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** Parses environment variables with a zod schema; fails fast listing every bad or missing variable. */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env = process.env): z.output<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const value = typeof issue.path[0] === 'string' ? env[issue.path[0]] : undefined;
    const shown = value === undefined ? 'not set' : looksSecret(name) ? 'value hidden' : `got ${JSON.stringify(value)}`;
    return `  ${name}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

function looksSecret(name: string): boolean {
  return /PASSWORD|SECRET|KEY|TOKEN|URL/.test(name);
}

export const port = z.coerce.number().int().min(0).max(65535);

export const logLevel = z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info');

/** Accepts "1mb", "512kb", "100b" or a byte count, as koa's body parser does. */
export const byteSize = z
  .string()
  .regex(/^\d+(b|kb|mb)?$/i, 'expected a size such as 100kb or 1mb')
  .default('1mb');

export const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'expected a postgres:// URL');

export const amqpUrl = z.string().refine((value) => /^amqps?:\/\//.test(value), 'expected an amqp:// URL');

export const httpUrl = z.string().refine((value) => /^https?:\/\//.test(value), 'expected an http(s):// URL');

/** Durations in milliseconds, given as a number of milliseconds. */
export const millis = z.coerce.number().int().min(0);

/** The variables every service reads; a service extends this with its own. */
export const serviceEnvShape = {
  TRELLIS_HTTP_HOST: z.string().default('127.0.0.1'),
  TRELLIS_HTTP_PORT: port,
  TRELLIS_DATABASE_URL: postgresUrl,
  TRELLIS_DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  TRELLIS_AMQP_URL: amqpUrl,
  TRELLIS_LOG_LEVEL: logLevel,
  TRELLIS_BODY_LIMIT: byteSize,
  TRELLIS_SHUTDOWN_TIMEOUT_MS: millis.default(20_000),
};

export const objectStoreEnvShape = {
  TRELLIS_S3_ENDPOINT: httpUrl,
  TRELLIS_S3_ACCESS_KEY: z.string().min(1),
  TRELLIS_S3_SECRET_KEY: z.string().min(1),
  TRELLIS_S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name'),
  TRELLIS_S3_REGION: z.string().default('us-east-1'),
};

/** Comma-separated delays before each retry of a failed message handler; then it is dead-lettered. */
export const retryDelays = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'expected comma-separated milliseconds, e.g. 1000,5000,30000')
  .default('1000,5000,30000,120000,600000')
  .transform((value) => value.split(',').map(Number));

/** How a service other than authorization recognises callers. */
export const authEnvShape = {
  /** Authorization's published keys; fetched once, cached, fetched again for an unknown key id. */
  TRELLIS_AUTH_JWKS_URL: httpUrl.default('http://127.0.0.1:8101/authorization/.well-known/jwks.json'),
  /** How long an accepted API key is remembered: a revoked key is refused at most this long after the revocation arrives. */
  TRELLIS_API_KEY_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(30_000),
};

/** Studio, repository, action-builder and runner: a service that follows tenancy, on `defaultPort`. */
export function tenantServiceEnvShape(defaultPort: number) {
  return {
    ...serviceEnvShape,
    ...authEnvShape,
    TRELLIS_HTTP_PORT: serviceEnvShape.TRELLIS_HTTP_PORT.default(defaultPort),
    TRELLIS_MESSAGE_RETRY_DELAYS_MS: retryDelays,
  };
}

const secretKeyHelp = 'must be 32 random bytes in base64; generate one with `openssl rand -base64 32`';

/** A service's own secret key (TRELLIS_SECRET_KEY): 32 bytes in base64, parsed to the bytes. */
export const secretKey = z
  .string({ error: `required: ${secretKeyHelp}` })
  .transform((value, context) => {
    const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(value.trim()) ? Buffer.from(value.trim(), 'base64') : Buffer.alloc(0);
    if (bytes.length !== 32) {
      context.addIssue({ code: 'custom', message: secretKeyHelp });
      return z.NEVER;
    }
    return bytes;
  });

/** A raw X25519 key (32 bytes, base64), kept as the trimmed base64 text that the sealed box reads. */
function x25519Key(what: string, help: string) {
  const message = `must be ${what}: 32 bytes in base64; ${help}`;
  return z.string({ error: `required: ${message}` }).transform((value, context) => {
    const trimmed = value.trim();
    const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
    if (bytes.length !== 32) {
      context.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return trimmed;
  });
}

/** The runner's private sealing key (its TRELLIS_SEALING_KEY): it opens the secrets studio seals for it. */
export const sealingPrivateKey = x25519Key('the runner\'s X25519 private key', 'make a pair with `trellis-adm keys runner`');

/** The runner's public sealing key (studio's TRELLIS_RUNNER_PUBLIC_KEY): studio seals project secrets to it. */
export const sealingPublicKey = x25519Key('the runner\'s X25519 public key', 'the TRELLIS_RUNNER_PUBLIC_KEY printed with its private key by `trellis-adm keys runner`');
