import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenTo, stopAfterEachOnLoopback, type Emitted, type ListenOptions, type Listening } from './support-triggers/listen.js';

// The machine's Mosquitto; each test has its own topic and client id, whose session is removed afterwards.
const URL = 'mqtt://127.0.0.1:1883';
let publisher: mqtt.MqttClient;
const clientIds: string[] = [];
const running: Listening[] = [];

function aTopic(): { topic: string; clientId: string } {
  const clientId = `trellis-test-${randomUUID().slice(0, 8)}`;
  clientIds.push(clientId);
  return { topic: `trellis-test/${randomUUID()}`, clientId };
}

async function start(topic: string, clientId: string, options: ListenOptions = {}, extra: Record<string, string> = {}): Promise<Listening> {
  const listening = await listenTo('mqtt-subscribe', { url: URL, topic: `${topic}/#`, client_id: clientId, ...extra }, options);
  running.push(listening);
  return listening;
}

async function publish(topic: string, payload: string, options: mqtt.IClientPublishOptions = {}): Promise<void> {
  await publisher.publishAsync(topic, payload, { qos: 1, ...options });
}

/** The trigger subscribes once connected: probe until a message comes through. */
async function subscribed(listening: Listening, topic: string): Promise<void> {
  for (let tries = 0; !listening.accepted.some(isProbe) && tries < 100; tries++) {
    await publish(`${topic}/probe`, 'probe');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!listening.accepted.some(isProbe)) throw new Error(`the trigger never subscribed:\n${listening.logs()}`);
}

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited++) {
    if (waited > 200) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const isProbe = (run: Emitted) => run.outputs.payload_text === 'probe';
const payloads = (runs: readonly Emitted[]) => runs.filter((run) => !isProbe(run)).map((run) => run.outputs.payload_text);

beforeAll(async () => {
  publisher = await mqtt.connectAsync(URL, { clientId: `trellis-test-pub-${randomUUID().slice(0, 8)}` });
});

stopAfterEachOnLoopback(running);

afterAll(async () => {
  await publisher.endAsync();
  // A clean start with no session expiry removes what the broker kept for each test's client id.
  for (const clientId of clientIds) {
    const client = await mqtt.connectAsync(URL, { clientId, protocolVersion: 5, clean: true, properties: { sessionExpiryInterval: 0 } });
    await client.endAsync();
  }
});

describe('mqtt-subscribe', () => {
  it('turns N messages into N runs with the topic, the payload and its JSON', async () => {
    const { topic, clientId } = aTopic();
    const listening = await start(topic, clientId);
    await subscribed(listening, topic);
    const before = listening.accepted.length;
    for (let n = 1; n <= 5; n++) await publish(`${topic}/sensor-${n}`, JSON.stringify({ n }));

    const runs = (await listening.waitForAccepted(before + 5)).slice(before);
    expect(runs.map((run) => run.outputs.payload_text)).toEqual([1, 2, 3, 4, 5].map((n) => JSON.stringify({ n })));
    expect(runs[2]?.outputs).toEqual({ topic: `${topic}/sensor-3`, payload_text: '{"n":3}', payload_json: { n: 3 }, retained: false });
  });

  it('gets a message whose run was refused again (the connection is dropped unconfirmed)', async () => {
    const { topic, clientId } = aTopic();
    let refused = false;
    const listening = await start(topic, clientId, {
      decide: (run) => (run.outputs.payload_text === 'second' && !refused ? ((refused = true), 'refuse') : 'accept'),
    });
    await subscribed(listening, topic);
    for (const payload of ['first', 'second', 'third']) await publish(`${topic}/x`, payload);

    await until(() => payloads(listening.accepted).length === 3);
    expect(payloads(listening.accepted).sort()).toEqual(['first', 'second', 'third']);
    expect(listening.emitted.filter((run) => run.outputs.payload_text === 'second')).toHaveLength(2);
  });

  it('after a stop and a restart, gets what was published meanwhile and nothing accepted again', async () => {
    const { topic, clientId } = aTopic();
    // a3's run gets no answer before the stop: the broker must send it again to the next session.
    const first = await start(topic, clientId, { decide: (run) => (run.outputs.payload_text === 'a3' ? 'hold' : 'accept') });
    await subscribed(first, topic);
    for (const payload of ['a1', 'a2', 'a3']) await publish(`${topic}/x`, payload);
    await until(() => payloads(first.accepted).length === 2 && payloads(first.emitted).length === 3);
    await first.stop();

    for (const payload of ['b1', 'b2', 'b3']) await publish(`${topic}/x`, payload);
    const second = await start(topic, clientId);
    await until(() => payloads(second.accepted).length === 4);
    await publish(`${topic}/x`, 'c1');
    await until(() => payloads(second.accepted).length === 5);
    // Probes of the first activation may be sent after its stop: they are new messages, not repeats.
    expect(payloads(second.emitted)).toEqual(['a3', 'b1', 'b2', 'b3', 'c1']);
  });

  it('refuses a loopback broker unless private networks are allowed (network guard)', async () => {
    delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
    const { topic, clientId } = aTopic();
    const refused = await start(topic, clientId, {}, { url: 'mqtt://localhost:1883' });
    expect(await refused.ended).toMatchObject({ code: 'address_not_allowed' });
  });

  it('marks a retained message, and refuses credentials in the url', async () => {
    const { topic, clientId } = aTopic();
    await publish(`${topic}/state`, 'on', { retain: true });
    const listening = await start(topic, clientId);
    const [run] = await listening.waitForAccepted(1);
    expect(run?.outputs).toMatchObject({ topic: `${topic}/state`, payload_text: 'on', retained: true });
    await publish(`${topic}/state`, '', { retain: true }); // clears the retained message

    const withCredentials = await start(topic, `${clientId}-2`, {}, { url: 'mqtt://user:secret@127.0.0.1:1883' });
    expect(await withCredentials.ended).toMatchObject({ code: 'credentials_in_url' });
  });
});
