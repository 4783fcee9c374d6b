import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenTo, stopAfterEachOnLoopback, type ListenOptions, type Listening } from './support-triggers/listen.js';

// The machine's Redis; each test has its own stream key, deleted afterwards.
let redis: Redis;
const keys: string[] = [];
const running: Listening[] = [];

function aStream(): string {
  const key = `trellis-test-stream-${randomUUID()}`;
  keys.push(key);
  return key;
}

async function start(stream: string, extra: Record<string, string | number> = {}, options: ListenOptions = {}): Promise<Listening> {
  const listening = await listenTo('redis-stream', { url: 'redis://127.0.0.1:6379', stream, group: 'workflows', consumer: 'trigger-1', ...extra }, options);
  running.push(listening);
  return listening;
}

/** The trigger creates the group when it starts; entries added before that are not for it (start: new). */
async function groupExists(stream: string): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    const groups = (await redis.xinfo('GROUPS', stream).catch(() => [])) as unknown[];
    if (groups.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the group of ${stream} was never created`);
}

async function add(stream: string, fields: Record<string, string>): Promise<string> {
  return (await redis.xadd(stream, '*', ...Object.entries(fields).flat())) as string;
}

async function pendingCount(stream: string): Promise<number> {
  const summary = (await redis.xpending(stream, 'workflows')) as [number, ...unknown[]];
  return summary[0];
}

beforeAll(() => {
  redis = new Redis('redis://127.0.0.1:6379');
});

stopAfterEachOnLoopback(running);

afterAll(async () => {
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('redis-stream', () => {
  it('turns N entries into N runs with their id and fields, and acknowledges each', async () => {
    const stream = aStream();
    const listening = await start(stream);
    await groupExists(stream);
    const ids: string[] = [];
    for (let n = 1; n <= 5; n++) ids.push(await add(stream, { order: `o-${n}`, amount: String(n * 10) }));

    const runs = await listening.waitForAccepted(5);
    expect(runs.map((run) => run.outputs.id).sort()).toEqual(ids.slice().sort());
    expect(runs.find((run) => run.outputs.id === ids[2])?.outputs.fields).toEqual({ order: 'o-3', amount: '30' });
    await listening.stop();
    expect(await pendingCount(stream)).toBe(0);
  });

  it('keeps an entry whose run was refused pending and delivers it again', async () => {
    const stream = aStream();
    let refusals = 0;
    const listening = await start(stream, {}, {
      decide: (run) => ((run.outputs.fields as Record<string, string>).n === '2' && refusals++ < 2 ? 'refuse' : 'accept'),
    });
    await groupExists(stream);
    for (const n of ['1', '2', '3']) await add(stream, { n });

    const runs = await listening.waitForAccepted(3);
    expect(runs.map((run) => (run.outputs.fields as Record<string, string>).n).sort()).toEqual(['1', '2', '3']);
    expect(listening.emitted.filter((run) => (run.outputs.fields as Record<string, string>).n === '2')).toHaveLength(3);
    await listening.stop();
    expect(await pendingCount(stream)).toBe(0);
  });

  it('after a stop and a restart, runs what came meanwhile and what was unanswered, and nothing accepted again', async () => {
    const stream = aStream();
    // The third entry's run gets no answer before the stop: its entry must come back after the restart.
    const first = await start(stream, {}, { decide: (run) => ((run.outputs.fields as Record<string, string>).n === 'a3' ? 'hold' : 'accept') });
    await groupExists(stream);
    for (const n of ['a1', 'a2', 'a3']) await add(stream, { n });
    await first.waitForAccepted(2);
    await first.waitForEmitted(3);
    await first.stop();

    for (const n of ['b1', 'b2']) await add(stream, { n });
    const second = await start(stream);
    const runs = await second.waitForAccepted(3);
    expect(runs.map((run) => (run.outputs.fields as Record<string, string>).n).sort()).toEqual(['a3', 'b1', 'b2']);
    await add(stream, { n: 'c1' });
    await second.waitForAccepted(4);
    expect(second.emitted.map((run) => (run.outputs.fields as Record<string, string>).n).sort()).toEqual(['a3', 'b1', 'b2', 'c1']);
    await second.stop();
    expect(await pendingCount(stream)).toBe(0);
  });

  it("claims a dead consumer's entries once they are idle longer than claim_idle_ms, and reads a new group from the beginning", async () => {
    const stream = aStream();
    await add(stream, { n: 'old-1' });
    await add(stream, { n: 'old-2' });
    await redis.xgroup('CREATE', stream, 'workflows', '0');
    // Another reader takes old-1 and dies without acknowledging it.
    await redis.call('XREADGROUP', 'GROUP', 'workflows', 'dead-reader', 'COUNT', '1', 'STREAMS', stream, '>');

    const listening = await start(stream, { claim_idle_ms: 1000, start: 'beginning' });
    const runs = await listening.waitForAccepted(2);
    expect(runs.map((run) => (run.outputs.fields as Record<string, string>).n).sort()).toEqual(['old-1', 'old-2']);
    await listening.stop();
    expect(await pendingCount(stream)).toBe(0);
  });

  it('refuses a loopback server unless private networks are allowed (network guard)', async () => {
    delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
    const refused = await start(aStream(), { url: 'redis://localhost:6379' });
    expect(await refused.ended).toMatchObject({ code: 'address_not_allowed' });
  });

  it('refuses a password in the url and a key that is not a stream', async () => {
    const withPassword = await start(aStream(), { url: 'redis://:secret@127.0.0.1:6379' });
    expect(await withPassword.ended).toMatchObject({ code: 'credentials_in_url' });
    const key = aStream();
    await redis.set(key, 'a string');
    const wrongType = await start(key);
    expect(await wrongType.ended).toMatchObject({ code: 'not_a_stream' });
  });
});
