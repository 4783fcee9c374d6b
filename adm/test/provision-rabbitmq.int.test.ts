import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from '../src/catalog.js';
import { brokerPlan } from '../src/provision/provision-all.js';
import { rabbitPasswordMatches } from '../src/provision/password-hashes.js';
import { dropRabbitmq, permissionsFor, provisionRabbitmq, rabbitAdminFromEnv } from '../src/provision/rabbitmq.js';
import { testPrefix, testSecrets } from './fixtures.js';

const admin = rabbitAdminFromEnv();
const prefix = testPrefix();
const secrets = testSecrets();
const plan = brokerPlan(prefix, prefix, secrets);
const amqpHost = process.env['TRELLIS_TEST_AMQP_HOST'] ?? '127.0.0.1:5672';

const open: ChannelModel[] = [];

function userOf(service: ServiceName) {
  const user = plan.users.find((u) => u.service === service);
  if (!user) throw new Error(service);
  return user;
}

async function connectAs(service: ServiceName, password = userOf(service).password): Promise<ChannelModel> {
  const connection = await amqp.connect(`amqp://${userOf(service).user}:${encodeURIComponent(password)}@${amqpHost}/${encodeURIComponent(plan.vhost)}`);
  connection.on('error', () => undefined);
  open.push(connection);
  return connection;
}

async function channelOf(service: ServiceName): Promise<Channel> {
  const channel = await (await connectAs(service)).createChannel();
  channel.on('error', () => undefined);
  return channel;
}

/** Runs one operation on a fresh channel and returns how the broker closed it (undefined: it did not). */
async function refusal(service: ServiceName, operation: (channel: Channel) => Promise<unknown>): Promise<string | undefined> {
  const channel = await channelOf(service);
  const closed = new Promise<string>((resolve) => channel.once('error', (error: Error) => resolve(error.message)));
  try {
    await operation(channel);
  } catch {
    // the channel error below says why
  }
  return Promise.race([closed, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1_000))]);
}

async function api(path: string, user = admin.user, password = admin.password): Promise<Response> {
  return fetch(`${admin.apiUrl}/api${path}`, { headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } });
}

describe('RabbitMQ provisioning', () => {
  let firstChanges: string[] = [];

  beforeAll(async () => {
    firstChanges = (await provisionRabbitmq(admin, plan)).changes;
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close().catch(() => undefined)));
  });

  afterAll(async () => {
    await dropRabbitmq(admin, plan);
  });

  it('makes the vhost, a user per service and the five emitter exchanges', async () => {
    expect(firstChanges).toContain(`created vhost ${prefix}`);
    for (const user of plan.users) expect(firstChanges).toContain(`created broker user ${user.user}`);
    const exchanges = (await (await api(`/exchanges/${prefix}`)).json()) as { name: string; type: string; durable: boolean }[];
    for (const name of ['trellis.authorization', 'trellis.studio', 'trellis.repository', 'trellis.action-builder', 'trellis.runner']) {
      expect(exchanges).toContainEqual(expect.objectContaining({ name, type: 'topic', durable: true }));
    }
  });

  it('is idempotent: a second run changes nothing and keeps the passwords', async () => {
    const before = (await (await api(`/users/${userOf('studio').user}`)).json()) as { password_hash: string; hashing_algorithm: string };
    const { changes } = await provisionRabbitmq(admin, plan);
    expect(changes).toEqual([]);
    const after = (await (await api(`/users/${userOf('studio').user}`)).json()) as { password_hash: string };
    expect(after.password_hash).toBe(before.password_hash);
    expect(rabbitPasswordMatches(before.password_hash, before.hashing_algorithm, userOf('studio').password)).toBe(true);
  });

  it('sets least-privilege permissions with the service name escaped', () => {
    expect(permissionsFor('action-builder')).toEqual({
      configure: '^trellis\\.action-builder(\\..+)?$',
      write: '^(trellis\\.action-builder(\\..+)?|amq\\.default)$',
      read: '^(trellis\\.action-builder\\..+|trellis\\.[a-z-]+)$',
    });
  });

  it('lets a service publish to its own exchange and declare its own queues bound to any emitter', async () => {
    const connection = await connectAs('studio');
    const channel = await connection.createConfirmChannel();
    await channel.assertExchange('trellis.studio', 'topic', { durable: true });
    channel.publish('trellis.studio', 'trellis.studio.v1.WorkflowDeployRequested', Buffer.from('x'));
    await channel.waitForConfirms();
    await channel.assertQueue('trellis.studio.events', { durable: true });
    await channel.bindQueue('trellis.studio.events', 'trellis.authorization', 'trellis.authorization.v1.ProjectCreated');
    await channel.assertQueue('trellis.studio.events.retry.1000ms', {
      durable: true,
      arguments: { 'x-message-ttl': 1000, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'trellis.studio.events' },
    });
    await channel.assertQueue('trellis.studio.events.dead', { durable: true });
    // The retry path: back to its own queue through the default exchange.
    channel.sendToQueue('trellis.studio.events.retry.1000ms', Buffer.from('again'));
    await channel.waitForConfirms();
    await channel.consume('trellis.studio.events', () => undefined);
  });

  it("refuses to declare or delete another service's queue (ACCESS_REFUSED)", async () => {
    const runner = await channelOf('runner');
    await runner.assertQueue('trellis.runner.events', { durable: true });
    expect(await refusal('studio', (c) => c.assertQueue('trellis.runner.events', { durable: true }))).toMatch(/ACCESS.REFUSED/);
    expect(await refusal('studio', (c) => c.assertQueue('trellis.runner.other', { durable: true }))).toMatch(/ACCESS.REFUSED/);
    expect(await refusal('studio', (c) => c.deleteQueue('trellis.runner.events'))).toMatch(/ACCESS.REFUSED/);
    expect(await refusal('studio', (c) => c.consume('trellis.runner.events', () => undefined))).toMatch(/ACCESS.REFUSED/);
    expect(await refusal('studio', (c) => c.deleteExchange('trellis.runner'))).toMatch(/ACCESS.REFUSED/);
    // The dot is escaped: `trellis.studio` does not stand for `trellisXstudio`.
    expect(await refusal('studio', (c) => c.assertQueue('trellisXstudio.events', { durable: true }))).toMatch(/ACCESS.REFUSED/);
    expect(await refusal('studio', (c) => c.assertQueue('trellis.studiox.events', { durable: true }))).toMatch(/ACCESS.REFUSED/);
  });

  it("refuses to publish to another service's exchange (ACCESS_REFUSED)", async () => {
    const message = await refusal('studio', async (channel) => {
      channel.publish('trellis.runner', 'trellis.runner.v1.WorkflowDeployed', Buffer.from('forged'));
      await new Promise((resolve) => setTimeout(resolve, 500));
    });
    expect(message).toMatch(/ACCESS.REFUSED/);
  });

  it('refuses a wrong password and keeps service users out of the management API', async () => {
    await expect(connectAs('studio', 'not-the-password')).rejects.toThrow(/ACCESS.REFUSED|403/);
    const response = await api('/overview', userOf('studio').user, userOf('studio').password);
    expect(response.status).toBe(401);
  });
});
