import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, accountOf } from '../src/catalog.js';
import { reset } from '../src/commands/reset.js';
import { serviceEnv } from '../src/local/service-env.js';
import { localSettingsFromEnv } from '../src/local/settings.js';
import { dropInstanceResources, findInstanceResources } from '../src/provision/instance-resources.js';
import { postgresAdminFromEnv } from '../src/provision/postgres.js';
import { rabbitAdminFromEnv } from '../src/provision/rabbitmq.js';
import { provisionLocalInstance, recordedOutput, resourcesNamed, testPrefix } from './fixtures.js';

const name = testPrefix();
const admins = { postgres: postgresAdminFromEnv(), rabbitmq: rabbitAdminFromEnv() };
let root = '';
let here = '';
const envOf = (stateDir: string, instance = name): NodeJS.ProcessEnv => ({ ...process.env, TRELLIS_STATE_DIR: stateDir, TRELLIS_INSTANCE: instance });
const everything = () =>
  [
    ...SERVICES.flatMap((s) => [`database ${accountOf(name, s.name)}`, `role ${accountOf(name, s.name)}`, `broker user ${accountOf(name, s.name)}`]),
    `vhost ${name}`,
  ].sort();

describe('trellis-adm reset', () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'trellis-adm-reset-'));
    here = join(root, 'checkout', '.trellis');
  });

  afterAll(async () => {
    await dropInstanceResources(admins, await findInstanceResources(admins, name));
    await rm(root, { recursive: true, force: true });
  });

  it('deletes nothing without a confirmation, and says how to give one', async () => {
    await provisionLocalInstance(envOf(here));
    const noTerminal = recordedOutput();
    expect(await reset(noTerminal.out, [], envOf(here), () => Promise.resolve(undefined))).toBe(2);
    expect(noTerminal.text()).toMatch(/reset deletes instance .* of .*checkout\/\.trellis, and everything in it:[\s\S]*databases: [\s\S]*nothing was deleted: confirm with `make reset yes=1`/);
    const declined = recordedOutput();
    expect(await reset(declined.out, [], envOf(here), () => Promise.resolve(false))).toBe(1);
    expect(await resourcesNamed(name)).toEqual(everything());
    expect(existsSync(join(here, 'instance.json'))).toBe(true);
  });

  it("never drops another checkout's instance, even one of the same name", async () => {
    const other = join(root, 'other', '.trellis');
    const { text, out } = recordedOutput();
    await expect(reset(out, ['--yes'], envOf(other))).rejects.toThrow(new RegExp(`belong to the Trellis instance of ${here}, not to this checkout: nothing was dropped`));
    expect(text()).not.toMatch(/dropped/);
    expect(await resourcesNamed(name)).toEqual(everything());
  });

  it('with --yes drops every database, role, vhost and broker user of the instance, in use or not, and removes .trellis/', async () => {
    const settings = localSettingsFromEnv(envOf(here));
    const { secrets } = await provisionLocalInstance(envOf(here));
    // In use, as a running service would hold them: a database connection and a queue with a message.
    const studio = SERVICES.find((s) => s.name === 'studio');
    if (!studio) throw new Error('studio');
    const studioEnv = serviceEnv(settings, secrets, studio, undefined);
    const database = new pg.Client({ connectionString: studioEnv['TRELLIS_DATABASE_URL'] });
    database.on('error', () => undefined);
    await database.connect();
    await database.query('CREATE TABLE probe (note text)');
    const broker = await amqp.connect(studioEnv['TRELLIS_AMQP_URL'] as string);
    broker.on('error', () => undefined);
    const channel = await broker.createChannel();
    channel.on('error', () => undefined);
    await channel.assertQueue('trellis.studio.events', { durable: true });
    channel.sendToQueue('trellis.studio.events', Buffer.from('kept'));
    await mkdir(join(here, 's3', settings.bucket), { recursive: true });
    await writeFile(join(here, 's3', settings.bucket, 'object'), 'data');

    const { out, text } = recordedOutput();
    expect(await reset(out, ['--yes'], envOf(here))).toBe(0);
    expect(text()).toMatch(/dropped 5 databases, 5 roles, 1 vhost, 5 broker users[\s\S]*removed .*checkout\/\.trellis[\s\S]*instance .* is gone; `make up` starts a new one/);
    expect(await resourcesNamed(name)).toEqual([]);
    expect(existsSync(here)).toBe(false);
    await database.end().catch(() => undefined);
    await broker.close().catch(() => undefined);

    // And the next start begins from nothing.
    const again = recordedOutput();
    expect(await reset(again.out, ['--yes'], envOf(here))).toBe(0);
    expect(again.text()).toMatch(/nothing to reset/);
    const next = await provisionLocalInstance(envOf(here));
    expect(next.leftovers).toEqual([]);
    expect(await resourcesNamed(name)).toEqual(everything());
  });

  it('also drops what an earlier start of this checkout left when .trellis/ is already gone', async () => {
    await provisionLocalInstance(envOf(here));
    await rm(here, { recursive: true });
    const { out } = recordedOutput();
    expect(await reset(out, ['--yes'], envOf(here))).toBe(0);
    expect(await resourcesNamed(name)).toEqual([]);
  });
});
