import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '@trellis/platform/config';
import { makeLogger, type Logger } from '@trellis/platform/logger';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import { createTestVhost, type TestVhost } from '@trellis/platform/testing/rabbitmq';
import { envSchema } from '../src/infrastructure/config.js';
import { makeScryptHasher } from '../src/infrastructure/password-hasher.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { startAuthorization, type RunningAuthorization } from '../src/infrastructure/start-authorization.js';

export const ADMIN_PASSWORD = 'integration admin password';

// Answers are checked field by field; typing every body would only restate the schemas.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Answer = { status: number; body: any; headers: Headers; text: string };

export type Call = (
  method: string,
  path: string,
  options?: { token?: string | undefined; body?: unknown; rawBody?: string; headers?: Record<string, string> },
) => Promise<Answer>;

export function makeCall(base: string): Call {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, headers: response.headers, text };
  };
}

export type TestAuthorization = {
  app: RunningAuthorization;
  database: TestDatabase<Database>;
  vhost: TestVhost;
  env: Record<string, string>;
  call: Call;
  /** Logs in and answers the token pair (throws on anything but 200). */
  login: (username: string, password: string, projectId?: string) => Promise<{ access_token: string; refresh_token: string; project_id: string | null; expires_in: number }>;
  close: () => Promise<void>;
};

/** The service as main runs it, on a database and vhost of its own and port 0. */
export async function startTestAuthorization(overrides: Record<string, string> = {}, options: { logger?: Logger } = {}): Promise<TestAuthorization> {
  const [database, vhost] = await Promise.all([createTestDatabase<Database>({ service: 'authorization', migrations }), createTestVhost()]);
  const env = {
    TRELLIS_DATABASE_URL: database.url,
    TRELLIS_AMQP_URL: vhost.url,
    TRELLIS_HTTP_PORT: '0',
    TRELLIS_ADMIN_PASSWORD: ADMIN_PASSWORD,
    TRELLIS_SECRET_KEY: randomBytes(32).toString('base64'),
    TRELLIS_LOG_LEVEL: 'error',
    ...overrides,
  };
  const logger = options.logger ?? makeLogger({ service: 'authorization', silent: !process.env['TEST_LOG_LEVEL'], level: process.env['TEST_LOG_LEVEL'] ?? 'error' });
  // A cheaper scrypt cost keeps the suites fast; the production cost is exercised by the password hasher itself.
  const app = await startAuthorization(loadConfig(envSchema, env), { version: 'test', logger, hasher: makeScryptHasher({ N: 2 ** 12, r: 8, p: 1 }) });
  const call = makeCall(app.url);
  return {
    app, database, vhost, env, call,
    login: async (username, password, projectId) => {
      const answer = await call('POST', '/login', { body: { username, password, ...(projectId ? { project_id: projectId } : {}) } });
      if (answer.status !== 200) throw new Error(`login ${username}: ${answer.status} ${answer.text}`);
      return answer.body;
    },
    close: async () => {
      await app.stop();
      await Promise.all([database.close(), vhost.close()]);
    },
  };
}

/** One running service per test file, started before its tests and stopped after. */
export function useAuthorization(overrides: Record<string, string> = {}, options: { logger?: Logger } = {}): TestAuthorization {
  const holder = {} as { current: TestAuthorization };
  beforeAll(async () => {
    holder.current = await startTestAuthorization(overrides, options);
  });
  afterAll(async () => {
    await holder.current?.close();
  });
  return new Proxy({} as TestAuthorization, { get: (_target, key) => holder.current[key as keyof TestAuthorization] });
}

export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await probe();
  }
  return last;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The claims and header of a JWT, unverified: tests look inside tokens the service issued. */
export function peek(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = token.split('.');
  const decode = (part: string | undefined) => JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(header), claims: decode(claims) };
}
