import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { generateSealingKeyPair } from '@trellis/platform/crypto/sealed-box';
import { SERVICES, type ServiceName } from '../src/catalog.js';
import { makeConsoleOutput, type Output } from '../src/commands/output.js';
import { markOf, markText, type Instance } from '../src/instance/instance.js';
import type { FoundResource } from '../src/instance/ownership.js';
import { clearTheWay, openLocalInstance, recordProvisioned } from '../src/local/local-instance.js';
import { localSettingsFromEnv } from '../src/local/settings.js';
import { provisionAll } from '../src/provision/provision-all.js';
import { connectAdmin, postgresAdminFromEnv } from '../src/provision/postgres.js';
import { rabbitAdminFromEnv } from '../src/provision/rabbitmq.js';
import { randomToken, type Secrets } from '../src/secrets.js';

/** A name prefix of this test file's own (`trellis_admt_<hex>`), so a real instance's `trellis_*` objects are never touched. */
export function testPrefix(): string {
  return `trellis_admt_${randomBytes(4).toString('hex')}`;
}

export function testSecrets(): Secrets {
  const perService = () => Object.fromEntries(SERVICES.map((s) => [s.name, randomToken(24)])) as Record<ServiceName, string>;
  return { postgres: perService(), amqp: perService(), s3AccessKey: randomToken(20, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), s3SecretKey: randomToken(40), secretKey: randomBytes(32).toString('base64'), repositorySecretKey: randomBytes(32).toString('base64'),
    studioSecretKey: randomBytes(32).toString('base64'), runnerSealingKey: generateSealingKeyPair().privateKey };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Output that keeps what a command says, for assertions. */
export function recordedOutput(): { out: Output; text: () => string } {
  const lines: string[] = [];
  return { out: makeConsoleOutput((text) => lines.push(text)), text: () => lines.join('') };
}

/** What `up` does before it starts anything, for an instance in a state directory of the test's own. */
export async function provisionLocalInstance(env: NodeJS.ProcessEnv): Promise<{ instance: Instance; secrets: Secrets; leftovers: readonly FoundResource[] }> {
  const settings = localSettingsFromEnv(env);
  const admins = { postgres: postgresAdminFromEnv(env), rabbitmq: rabbitAdminFromEnv(env) };
  const { instance, secrets } = await openLocalInstance(settings, env);
  const { leftovers } = await clearTheWay(instance, admins, () => undefined);
  await provisionAll({ namePrefix: settings.namePrefix, vhost: settings.vhost, secrets, ...admins, mark: markText(markOf(instance)) });
  return { instance: await recordProvisioned(instance, secrets), secrets, leftovers };
}

/** Every database, role, vhost and broker user whose name starts with `prefix`, straight from the servers. */
export async function resourcesNamed(prefix: string, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const client = await connectAdmin(postgresAdminFromEnv(env));
  try {
    const databases = await client.query<{ name: string }>('SELECT datname AS name FROM pg_database WHERE left(datname, length($1)) = $1', [prefix]);
    const roles = await client.query<{ name: string }>('SELECT rolname AS name FROM pg_roles WHERE left(rolname, length($1)) = $1', [prefix]);
    const rabbit = rabbitAdminFromEnv(env);
    const headers = { authorization: `Basic ${Buffer.from(`${rabbit.user}:${rabbit.password}`).toString('base64')}` };
    const vhosts = (await (await fetch(`${rabbit.apiUrl}/api/vhosts`, { headers })).json()) as { name: string }[];
    const users = (await (await fetch(`${rabbit.apiUrl}/api/users`, { headers })).json()) as { name: string }[];
    return [
      ...databases.rows.map((r) => `database ${r.name}`),
      ...roles.rows.map((r) => `role ${r.name}`),
      ...vhosts.filter((v) => v.name.startsWith(prefix)).map((v) => `vhost ${v.name}`),
      ...users.filter((u) => u.name.startsWith(prefix)).map((u) => `broker user ${u.name}`),
    ].sort();
  } finally {
    await client.end();
  }
}
