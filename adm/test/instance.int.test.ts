import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, accountOf, type ServiceName } from '../src/catalog.js';
import { openLocalInstance } from '../src/local/local-instance.js';
import { serviceEnv } from '../src/local/service-env.js';
import { localSettingsFromEnv } from '../src/local/settings.js';
import { dropInstanceResources, findInstanceResources } from '../src/provision/instance-resources.js';
import { postgresAdminFromEnv } from '../src/provision/postgres.js';
import { rabbitAdminFromEnv } from '../src/provision/rabbitmq.js';
import type { Secrets } from '../src/secrets.js';
import { provision } from '../src/commands/provision.js';
import { provisionLocalInstance, recordedOutput, resourcesNamed, testPrefix } from './fixtures.js';

const name = testPrefix();
const admins = { postgres: postgresAdminFromEnv(), rabbitmq: rabbitAdminFromEnv() };
let root = '';
let here = '';
let clone = '';
const envOf = (stateDir: string): NodeJS.ProcessEnv => ({ ...process.env, TRELLIS_STATE_DIR: stateDir, TRELLIS_INSTANCE: name });

/** A connection as a service, with the URL `up` gives it. */
async function connectAs(stateDir: string, secrets: Secrets, service: ServiceName): Promise<pg.Client> {
  const settings = localSettingsFromEnv(envOf(stateDir));
  const info = SERVICES.find((s) => s.name === service);
  if (!info) throw new Error(service);
  const client = new pg.Client({ connectionString: serviceEnv(settings, secrets, info, undefined)['TRELLIS_DATABASE_URL'] });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

describe('resources made by an older trellis-adm (no marks)', () => {
  const legacy = testPrefix();
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trellis-adm-legacy-'));
  });

  afterAll(async () => {
    await dropInstanceResources(admins, await findInstanceResources(admins, legacy));
    await rm(dir, { recursive: true, force: true });
  });

  it('are taken over by the .trellis/ that made them, and refused to any other', async () => {
    const old = join(dir, 'old', '.trellis');
    // What an older trellis-adm left: secrets in .trellis/, unmarked databases, roles and vhost.
    const { out } = recordedOutput();
    expect(await provision(out, { ...process.env, TRELLIS_STATE_DIR: old, TRELLIS_INSTANCE: legacy })).toBe(0);
    expect((await findInstanceResources(admins, legacy)).filter((r) => r.mark)).toEqual([]);

    const stranger = { ...process.env, TRELLIS_STATE_DIR: join(dir, 'stranger', '.trellis'), TRELLIS_INSTANCE: legacy };
    await expect(provisionLocalInstance(stranger)).rejects.toThrow(/carry no Trellis instance mark[\s\S]*make reset[\s\S]*TRELLIS_INSTANCE=<another name>/);

    const { instance, leftovers } = await provisionLocalInstance({ ...process.env, TRELLIS_STATE_DIR: old, TRELLIS_INSTANCE: legacy });
    expect(instance.adopted).toBe(true);
    expect(leftovers).toEqual([]);
    const found = await findInstanceResources(admins, legacy);
    for (const resource of found.filter((r) => r.kind !== 'broker user')) expect(resource.mark?.id, resource.name).toBe(instance.id);
  });
});

describe('a local instance and its resources', () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'trellis-adm-instance-'));
    here = join(root, 'checkout', '.trellis');
    clone = join(root, 'clone', '.trellis');
  });

  afterAll(async () => {
    await dropInstanceResources(admins, await findInstanceResources(admins, name));
    await rm(root, { recursive: true, force: true });
  });

  it('marks its databases, roles and vhost with its id and state directory, and names what it gives a service after itself', async () => {
    const { instance, secrets, leftovers } = await provisionLocalInstance(envOf(here));
    expect(leftovers).toEqual([]);
    const found = await findInstanceResources(admins, name);
    expect(found.map((r) => `${r.kind} ${r.name}`).sort()).toEqual(await resourcesNamed(name));
    expect(found).toHaveLength(16);
    for (const resource of found.filter((r) => r.kind !== 'broker user')) expect(resource.mark, resource.name).toEqual({ name, id: instance.id, stateDir: here });

    const env = serviceEnv(localSettingsFromEnv(envOf(here)), secrets, SERVICES[1] as (typeof SERVICES)[number], undefined);
    expect(env['TRELLIS_DATABASE_URL']).toMatch(new RegExp(`^postgres://${accountOf(name, 'studio')}:[^@]+@127\\.0\\.0\\.1:5432/${accountOf(name, 'studio')}$`));
    expect(env['TRELLIS_AMQP_URL']).toMatch(new RegExp(`^amqp://${accountOf(name, 'studio')}:[^@]+@127\\.0\\.0\\.1:5672/${name}$`));
    const runner = serviceEnv(localSettingsFromEnv(envOf(here)), secrets, SERVICES[4] as (typeof SERVICES)[number], undefined);
    expect(runner['TRELLIS_S3_BUCKET']).toBe(name.replaceAll('_', '-'));

    const client = await connectAs(here, secrets, 'studio');
    try {
      await client.query("CREATE TABLE probe (note text); INSERT INTO probe VALUES ('made by the first start')");
    } finally {
      await client.end();
    }
    // A second start of the same instance changes nothing.
    expect((await provisionLocalInstance(envOf(here))).leftovers).toEqual([]);
  });

  it('refuses a second checkout that would use the same names, and leaves the first one alone', async () => {
    await expect(provisionLocalInstance(envOf(clone))).rejects.toThrow(new RegExp(`the instance name ${name} is taken by the Trellis instance of ${here}[\\s\\S]*TRELLIS_INSTANCE=<name> make up`));
    const { secrets } = await openLocalInstance(localSettingsFromEnv(envOf(here)), envOf(here));
    const client = await connectAs(here, secrets, 'studio');
    try {
      expect((await client.query('SELECT note FROM probe')).rows).toEqual([{ note: 'made by the first start' }]);
    } finally {
      await client.end();
    }
    await rm(clone, { recursive: true, force: true });
  });

  it('refuses, before anything starts, a secrets file that is not the one the instance was started with', async () => {
    const file = join(here, 'secrets.env');
    const kept = await readFile(file, 'utf8');
    await writeFile(file, kept.replace(/^TRELLIS_SECRET_KEY=.*$/m, `TRELLIS_SECRET_KEY=${Buffer.alloc(32, 7).toString('base64')}`));
    try {
      await expect(provisionLocalInstance(envOf(here))).rejects.toThrow(/is not the key instance .* was started with: authorization could not open its signing keys[\s\S]*make reset/);
    } finally {
      await writeFile(file, kept);
    }
  });

  it('starts over when .trellis/ was removed: what the earlier start left is dropped, and the new secrets open what is made', async () => {
    const before = await findInstanceResources(admins, name);
    await rm(here, { recursive: true });
    const { instance, secrets, leftovers } = await provisionLocalInstance(envOf(here));
    expect(leftovers.map((r) => `${r.kind} ${r.name}`).sort()).toEqual(before.map((r) => `${r.kind} ${r.name}`).sort());
    const after = await findInstanceResources(admins, name);
    expect(after).toHaveLength(16);
    for (const resource of after.filter((r) => r.kind !== 'broker user')) expect(resource.mark?.id, resource.name).toBe(instance.id);
    expect(instance.id).not.toBe(before.find((r) => r.kind === 'database')?.mark?.id);
    const client = await connectAs(here, secrets, 'studio');
    try {
      // A new, empty database: the earlier start's data went with its secrets.
      await expect(client.query('SELECT note FROM probe')).rejects.toMatchObject({ code: '42P01' });
    } finally {
      await client.end();
    }
  });
});
