// listenForNotifications on real PostgreSQL through a proxy that can go silent: a LISTEN
// connection that died without a word (kept open, nothing passes either way, as when a NAT or a
// firewall drops it) is found by asking it, and the listener listens again on a new one.
import { randomUUID } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { listenForNotifications } from '@trellis/platform/postgres/listener';
import { eventually } from '@trellis/platform/testing/eventually';
import { logger } from './fixtures.js';

/** A loopback proxy to PostgreSQL whose open connections can be silenced (new ones pass). */
async function startSilenceableProxy() {
  const links: { client: Socket; upstream: Socket; silent: boolean }[] = [];
  const server = createServer((client) => {
    const upstream = connect(5432, '127.0.0.1');
    const link = { client, upstream, silent: false };
    links.push(link);
    client.on('data', (chunk) => { if (!link.silent) upstream.write(chunk); });
    upstream.on('data', (chunk) => { if (!link.silent) client.write(chunk); });
    for (const socket of [client, upstream]) socket.on('error', () => { client.destroy(); upstream.destroy(); });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return {
    url: `postgresql://${encodeURIComponent(process.env['USER'] ?? 'root')}@127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/postgres`,
    silence: () => { for (const link of links) link.silent = true; },
    close: async () => {
      for (const link of links) { link.client.destroy(); link.upstream.destroy(); }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  // The proxy first: the clients' ends then return at once, silenced or not.
  for (const close of closers.splice(0)) await close().catch(() => undefined);
});

describe('a LISTEN connection', () => {
  it('that dies silently is found dead by a check and replaced: notifications arrive again', async () => {
    const proxy = await startSilenceableProxy();
    closers.push(proxy.close);
    const channel = `listener_test_${randomUUID().replaceAll('-', '')}`;
    let notified = 0;
    let lost = 0;
    const listener = listenForNotifications({
      connectionString: proxy.url, channel, logger, onNotify: () => { notified += 1; }, onLost: () => { lost += 1; }, aliveCheck: { everyMs: 300, timeoutMs: 300 },
    });
    closers.push(listener.close);
    const notifier = new pg.Client({ connectionString: proxy.url });
    notifier.on('error', () => undefined); // the proxy closing under it at the end
    await notifier.connect();
    closers.push(() => notifier.end());
    const notifyUntilHeard = async () => {
      const before = notified;
      await eventually(async () => { await notifier.query(`NOTIFY ${channel}`); return notified; }, (n) => n > before, 10_000);
    };
    await notifyUntilHeard();

    proxy.silence();
    // The notifier's own connection went silent too: a new one.
    const again = new pg.Client({ connectionString: proxy.url });
    again.on('error', () => undefined);
    await again.connect();
    closers.push(() => again.end());
    const atSilence = notified;
    await eventually(async () => lost, (n) => n >= 1, 10_000);
    // Listening again, it catches up once (onNotify) before any notification is heard.
    await eventually(async () => notified, (n) => n > atSilence, 10_000);
    const before = notified;
    await eventually(async () => { await again.query(`NOTIFY ${channel}`); return notified; }, (n) => n > before, 10_000);
    expect(lost).toBe(1);
  }, 30_000);
});
