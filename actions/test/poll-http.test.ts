import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonValue } from '@trellis/action-manifest/definition';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listenTo, type ListenOptions, type Listening } from './support-triggers/listen.js';

// A page served by the test: its body can change, it answers ETag validators with 304.
let server: Server;
let base: string;
let body = '';
let withEtag = true;
const requests: IncomingHttpHeaders[] = [];
const running: Listening[] = [];

function etagOf(text: string): string {
  return `"${createHash('sha256').update(text).digest('hex').slice(0, 12)}"`;
}

async function start(given: Record<string, string | number>, options: ListenOptions = {}): Promise<Listening> {
  const listening = await listenTo('poll-http', { url: `${base}/page`, interval_seconds: 1, ...given }, options);
  running.push(listening);
  return listening;
}

/** Waits until the page was polled `count` more times: a fire that did not come would have come by then. */
async function polls(count: number): Promise<void> {
  const target = requests.length + count;
  for (let waited = 0; requests.length < target; waited++) {
    if (waited > 200) throw new Error('the page was not polled');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(request.headers);
    if (request.url === '/moved') return response.writeHead(302, { location: `${base}/page` }).end();
    const etag = etagOf(body);
    if (withEtag && request.headers['if-none-match'] === etag) return response.writeHead(304).end();
    response.writeHead(200, { 'content-type': 'application/json', ...(withEtag ? { etag } : {}) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => {
  process.env.TRELLIS_ALLOW_PRIVATE_NETWORK = 'true';
  body = JSON.stringify({ version: 1 });
  withEtag = true;
  requests.length = 0;
});

afterEach(async () => {
  for (const listening of running.splice(0)) await listening.stop();
  delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('poll-http', () => {
  it('fires on the first poll and on each change, not for an unchanged page, asking with If-None-Match', async () => {
    const listening = await start({});
    const [first] = await listening.waitForAccepted(1);
    expect(first?.outputs).toMatchObject({ status: 200, body_text: '{"version":1}', body_json: { version: 1 }, etag: etagOf(body), hash: createHash('sha256').update(body).digest('hex') });
    await polls(2);
    expect(listening.emitted).toHaveLength(1);
    expect(requests.at(-1)?.['if-none-match']).toBe(etagOf(body));

    body = JSON.stringify({ version: 2 });
    const runs = await listening.waitForAccepted(2);
    expect(runs[1]?.outputs.body_json).toEqual({ version: 2 });
  });

  it('compares bodies when the server sends no validators, and follows a redirect', async () => {
    withEtag = false;
    const listening = await start({ url: `${base}/moved` });
    await listening.waitForAccepted(1);
    await polls(2);
    expect(listening.emitted).toHaveLength(1);
    body = 'now plain text';
    const runs = await listening.waitForAccepted(2);
    expect(runs[1]?.outputs).toMatchObject({ body_text: 'now plain text' });
    expect(runs[1]?.outputs.body_json).toBeUndefined();
    expect(runs[1]?.outputs.etag).toBeUndefined();
  });

  it('offers a change whose run was refused again at the next poll', async () => {
    let refused = false;
    const listening = await start({}, { decide: () => (refused ? 'accept' : ((refused = true), 'refuse')) });
    await listening.waitForAccepted(1);
    expect(listening.emitted).toHaveLength(2);
    expect(listening.emitted[0]?.outputs.hash).toBe(listening.emitted[1]?.outputs.hash);
  });

  it('restarted with the last accepted run, does not fire for the unchanged page, and fires for a change made while stopped', async () => {
    const first = await start({});
    const [accepted] = await first.waitForAccepted(1);
    await first.stop();
    const lastEvent = Object.fromEntries(Object.entries(accepted?.outputs ?? {}).filter(([, value]) => value !== undefined)) as Record<string, JsonValue>;

    const unchanged = await start({}, { lastEvent });
    await polls(3);
    expect(unchanged.emitted).toHaveLength(0);
    await unchanged.stop();

    body = JSON.stringify({ version: 3 });
    const changed = await start({}, { lastEvent });
    const [run] = await changed.waitForAccepted(1);
    expect(run?.outputs.body_json).toEqual({ version: 3 });
  });

  it('fires on every poll with fire_on every', async () => {
    const listening = await start({ fire_on: 'every' });
    const runs = await listening.waitForAccepted(3);
    expect(new Set(runs.map((run) => run.outputs.hash)).size).toBe(1);
  });

  it('refuses a loopback address, given as an IP or by name, unless private networks are allowed', async () => {
    delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
    const byIp = await start({});
    expect(await byIp.ended).toMatchObject({ code: 'address_not_allowed' });
    const byName = await start({ url: base.replace('127.0.0.1', 'localhost') + '/page' });
    expect(await byName.ended).toMatchObject({ code: 'address_not_allowed' });
    expect(requests).toHaveLength(0);
  });
});
