import { randomUUID } from 'node:crypto';
import { connect, headers, type JetStreamManager, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenTo, stopAfterEachOnLoopback, type Emitted, type ListenOptions, type Listening } from './support-triggers/listen.js';

// The machine's NATS with JetStream; each test has its own subjects and stream, deleted afterwards.
const SERVERS = 'nats://127.0.0.1:4222';
let nc: NatsConnection;
let jsm: JetStreamManager;
const streams: string[] = [];
const running: Listening[] = [];

async function aStream(): Promise<{ stream: string; subject: string }> {
  const id = randomUUID().replaceAll('-', '');
  const stream = `TRELLIS_TEST_${id}`;
  await jsm.streams.add({ name: stream, subjects: [`trellis-test.${id}.>`] });
  streams.push(stream);
  return { stream, subject: `trellis-test.${id}` };
}

async function start(given: Record<string, string | number | boolean>, options: ListenOptions = {}): Promise<Listening> {
  const listening = await listenTo('nats-subscribe', { servers: SERVERS, ...given }, options);
  running.push(listening);
  return listening;
}

async function publish(subject: string, data: string, headerValues: Record<string, string> = {}): Promise<void> {
  const h = headers();
  for (const [name, value] of Object.entries(headerValues)) h.set(name, value);
  await nc.jetstream().publish(subject, new TextEncoder().encode(data), { headers: h });
}

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let waited = 0; !(await condition()); waited++) {
    if (waited > 200) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function consumerExists(stream: string, durable: string): Promise<boolean> {
  return jsm.consumers.info(stream, durable).then(() => true, () => false);
}

const texts = (runs: readonly Emitted[]) => runs.map((run) => run.outputs.data_text);

beforeAll(async () => {
  nc = await connect({ servers: SERVERS });
  jsm = await nc.jetstreamManager();
});

stopAfterEachOnLoopback(running);

afterAll(async () => {
  for (const stream of streams) await jsm.streams.delete(stream);
  await nc.close();
});

describe('nats-subscribe (JetStream)', () => {
  it('turns N messages into N runs with subject, data, JSON, headers and sequence, and acknowledges them', async () => {
    const { stream, subject } = await aStream();
    const listening = await start({ subject: `${subject}.>`, stream, durable: 'workflows' });
    await until(() => consumerExists(stream, 'workflows'));
    for (let n = 1; n <= 5; n++) await publish(`${subject}.orders`, JSON.stringify({ n }), { 'x-n': String(n) });

    const runs = await listening.waitForAccepted(5);
    expect(texts(runs)).toEqual([1, 2, 3, 4, 5].map((n) => JSON.stringify({ n })));
    expect(runs[2]?.outputs).toEqual({ subject: `${subject}.orders`, data_text: '{"n":3}', data_json: { n: 3 }, headers: { 'x-n': '3' }, sequence: 3 });
    await until(async () => (await jsm.consumers.info(stream, 'workflows')).num_ack_pending === 0);
  });

  it('sends a message whose run was refused again', async () => {
    const { stream, subject } = await aStream();
    let refused = false;
    const listening = await start({ subject: `${subject}.>`, stream, durable: 'workflows' }, {
      decide: (run) => (run.outputs.data_text === 'second' && !refused ? ((refused = true), 'refuse') : 'accept'),
    });
    await until(() => consumerExists(stream, 'workflows'));
    for (const data of ['first', 'second', 'third']) await publish(`${subject}.x`, data);

    const runs = await listening.waitForAccepted(3);
    expect(texts(runs).sort()).toEqual(['first', 'second', 'third']);
    expect(texts(listening.emitted).filter((text) => text === 'second')).toHaveLength(2);
  });

  it('after a stop and a restart, resumes at the durable consumer: what came meanwhile and what was unanswered, nothing accepted again', async () => {
    const { stream, subject } = await aStream();
    const given = { subject: `${subject}.>`, stream, durable: 'workflows' };
    const first = await start(given, { decide: (run) => (run.outputs.data_text === 'a3' ? 'hold' : 'accept') });
    await until(() => consumerExists(stream, 'workflows'));
    for (const data of ['a1', 'a2', 'a3']) await publish(`${subject}.x`, data);
    await first.waitForAccepted(2);
    await first.waitForEmitted(3);
    await first.stop();

    for (const data of ['b1', 'b2']) await publish(`${subject}.x`, data);
    const second = await start(given);
    await second.waitForAccepted(3);
    await publish(`${subject}.x`, 'c1');
    await second.waitForAccepted(4);
    expect(texts(second.emitted).sort()).toEqual(['a3', 'b1', 'b2', 'c1']);
  });

  it('refuses a loopback server unless private networks are allowed (network guard)', async () => {
    delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
    const { stream, subject } = await aStream();
    const refused = await start({ servers: 'nats://localhost:4222', subject: `${subject}.>`, stream });
    expect(await refused.ended).toMatchObject({ code: 'address_not_allowed' });
  });

  it('starts a new consumer at the beginning when asked, and names a missing stream', async () => {
    const { stream, subject } = await aStream();
    await publish(`${subject}.x`, 'old');
    const listening = await start({ subject: `${subject}.>`, stream, durable: 'from-start', start: 'beginning' });
    expect(texts(await listening.waitForAccepted(1))).toEqual(['old']);

    const missing = await start({ subject: `${subject}.>`, stream: 'TRELLIS_TEST_NO_SUCH_STREAM' });
    expect(await missing.ended).toMatchObject({ code: 'stream_not_found' });
  });
});

describe('nats-subscribe (core NATS)', () => {
  it('turns messages into runs while subscribed (at most once: no sequence, no redelivery)', async () => {
    const subject = `trellis-test-core.${randomUUID().replaceAll('-', '')}`;
    const listening = await start({ subject, jetstream: false });
    // A core subscription exists once the server has it: publish probes until one arrives.
    await until(() => {
      nc.publish(subject, new TextEncoder().encode('probe'));
      return listening.accepted.length > 0;
    });
    const before = listening.accepted.length;
    for (const data of ['x', 'y']) nc.publish(subject, new TextEncoder().encode(data));
    await until(() => listening.accepted.slice(before).filter((run) => run.outputs.data_text !== 'probe').length >= 2);
    const runs = listening.accepted.slice(before).filter((run) => run.outputs.data_text !== 'probe');
    expect(texts(runs)).toEqual(['x', 'y']);
    expect(runs[0]?.outputs.sequence).toBeUndefined();
  });
});
