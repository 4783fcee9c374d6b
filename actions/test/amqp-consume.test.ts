import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenTo, stopAfterEachOnLoopback, type ListenOptions, type Listening } from './support-triggers/listen.js';

// The machine's RabbitMQ; each test has its own queue (and exchange), deleted afterwards.
const BROKER = { url: 'amqp://127.0.0.1:5672/', username: 'guest', password: 'guest' };

let connection: amqp.ChannelModel;
let channel: amqp.Channel;
const queues: string[] = [];
const exchanges: string[] = [];
const running: Listening[] = [];

function aQueue(): string {
  const name = `trellis-test-amqp-${randomUUID()}`;
  queues.push(name);
  return name;
}

async function start(queue: string, extra: Record<string, string | number | boolean> = {}, decide?: ListenOptions['decide']): Promise<Listening> {
  const listening = await listenTo('amqp-consume', { ...BROKER, queue, ...extra }, decide ? { decide } : {});
  running.push(listening);
  return listening;
}

/** The trigger declares the queue when it starts: publishing before that would route nowhere. */
async function queueExists(queue: string): Promise<void> {
  for (let tries = 0; ; tries++) {
    const probe = await connection.createChannel();
    probe.on('error', () => {});
    try {
      await probe.checkQueue(queue);
      await probe.close();
      return;
    } catch {
      if (tries > 100) throw new Error(`queue ${queue} was never declared`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function publish(queue: string, body: string, options: amqp.Options.Publish = {}): void {
  channel.sendToQueue(queue, Buffer.from(body), { persistent: true, ...options });
}

async function messagesLeft(queue: string): Promise<number> {
  return (await channel.checkQueue(queue)).messageCount;
}

beforeAll(async () => {
  connection = await amqp.connect({ hostname: '127.0.0.1', port: 5672, username: 'guest', password: 'guest' });
  channel = await connection.createChannel();
});

stopAfterEachOnLoopback(running);

afterAll(async () => {
  for (const queue of queues) await channel.deleteQueue(queue);
  for (const exchange of exchanges) await channel.deleteExchange(exchange);
  await connection.close();
});

describe('amqp-consume', () => {
  it('turns N messages into N runs, with the body, its JSON, headers, routing key and message id, and acknowledges them', async () => {
    const queue = aQueue();
    const listening = await start(queue);
    await queueExists(queue);
    for (let n = 1; n <= 5; n++) publish(queue, JSON.stringify({ n }), { messageId: `m-${n}`, headers: { 'x-n': n } });
    publish(queue, 'plain text');

    const runs = await listening.waitForAccepted(6);
    expect(runs.map((run) => run.outputs.body_text).sort()).toEqual(['plain text', '{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}', '{"n":5}'].sort());
    const third = runs.find((run) => run.outputs.message_id === 'm-3');
    expect(third?.outputs).toMatchObject({ body_json: { n: 3 }, headers: { 'x-n': 3 }, routing_key: queue });
    const plain = runs.find((run) => run.outputs.body_text === 'plain text');
    expect(plain?.outputs.body_json).toBeUndefined();
    expect(plain?.outputs.message_id).toBeUndefined();

    await listening.stop();
    expect(await messagesLeft(queue)).toBe(0);
  });

  it('binds the queue to an exchange with the routing key and takes only what matches', async () => {
    const queue = aQueue();
    const exchange = `trellis-test-amqp-x-${randomUUID()}`;
    exchanges.push(exchange);
    await channel.assertExchange(exchange, 'topic', { durable: false, autoDelete: false });
    const listening = await start(queue, { exchange, routing_key: 'orders.*' });
    await queueExists(queue);
    // The binding is made after the queue is declared: wait until a matching message arrives.
    for (let tries = 0; listening.accepted.length === 0 && tries < 50; tries++) {
      channel.publish(exchange, 'orders.created', Buffer.from('probe'));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await listening.waitForAccepted(1);
    const before = listening.accepted.length;
    channel.publish(exchange, 'invoices.created', Buffer.from('not for us'));
    channel.publish(exchange, 'orders.paid', Buffer.from('for us'));
    const runs = await listening.waitForAccepted(before + 1);
    const last = runs.at(-1);
    expect(last?.outputs).toMatchObject({ body_text: 'for us', routing_key: 'orders.paid' });
    expect(listening.accepted.some((run) => run.outputs.body_text === 'not for us')).toBe(false);
  });

  it('puts a message whose run was refused back on the queue, and it comes again', async () => {
    const queue = aQueue();
    let refusedOnce = false;
    const listening = await start(queue, {}, (run) => {
      if (run.outputs.body_text === 'second' && !refusedOnce) {
        refusedOnce = true;
        return 'refuse';
      }
      return 'accept';
    });
    await queueExists(queue);
    for (const body of ['first', 'second', 'third']) publish(queue, body);

    const runs = await listening.waitForAccepted(3);
    expect(runs.map((run) => run.outputs.body_text).sort()).toEqual(['first', 'second', 'third']);
    expect(listening.emitted.filter((run) => run.outputs.body_text === 'second')).toHaveLength(2);
    await listening.stop();
    expect(await messagesLeft(queue)).toBe(0);
  });

  it('after a stop and a restart, gets what arrived meanwhile and what was unanswered, and fires nothing again that was accepted', async () => {
    const queue = aQueue();
    // a3's run gets no answer before the stop: its message must come back after the restart.
    const first = await start(queue, {}, (run) => (run.outputs.body_text === 'a3' ? 'hold' : 'accept'));
    await queueExists(queue);
    for (const body of ['a1', 'a2', 'a3']) publish(queue, body);
    await first.waitForAccepted(2);
    await first.waitForEmitted(3);
    await first.stop();

    for (const body of ['b1', 'b2', 'b3', 'b4']) publish(queue, body);
    const second = await start(queue);
    await second.waitForAccepted(5);
    // One more message proves the trigger kept going and that nothing accepted came back before it.
    publish(queue, 'c1');
    await second.waitForAccepted(6);
    expect(second.emitted.map((run) => run.outputs.body_text).sort()).toEqual(['a3', 'b1', 'b2', 'b3', 'b4', 'c1']);
    await second.stop();
    expect(await messagesLeft(queue)).toBe(0);
  });

  it('refuses a loopback broker unless private networks are allowed (network guard)', async () => {
    delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
    const refused = await start(aQueue());
    expect(await refused.ended).toMatchObject({ code: 'address_not_allowed' });
    const byName = await start(aQueue(), { url: 'amqp://localhost:5672/' });
    expect(await byName.ended).toMatchObject({ code: 'address_not_allowed' });
  });

  it('refuses credentials in the url and a queue that does not exist when declare is off', async () => {
    const withCredentials = await start(aQueue(), { url: 'amqp://guest:guest@127.0.0.1:5672/' });
    expect(await withCredentials.ended).toMatchObject({ code: 'credentials_in_url' });
    const missing = await start(aQueue(), { declare: false });
    expect(await missing.ended).toMatchObject({ code: 'queue_unavailable' });
  });
});
