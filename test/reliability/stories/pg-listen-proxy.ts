import { connect, createServer, type Server, type Socket } from 'node:net';

/** One client connection through the proxy, and whether it has sent a LISTEN. */
type Link = { client: Socket; upstream: Socket; listens: boolean; silenced: boolean };

export type PgListenProxy = {
  port: number;
  /** Connections that sent a LISTEN and still forward. */
  listening: () => number;
  /** LISTEN connections opened since the proxy started (a reconnect adds one). */
  listensSeen: () => number;
  /** Closes every LISTEN connection: a dead connection its client can see (the socket ends). */
  cutListeners: () => void;
  /**
   * Keeps every LISTEN connection open but forwards nothing more either way: a connection that
   * died silently (a NAT or firewall that dropped it), which the client only notices by asking.
   */
  silenceListeners: () => number;
  close: () => Promise<void>;
};

/**
 * A loopback proxy in front of PostgreSQL that knows which of its connections LISTEN (it reads
 * the client's simple queries for `LISTEN `), so a test can kill or silence only those.
 */
export async function startPgListenProxy(target: { host: string; port: number }): Promise<PgListenProxy> {
  const links = new Set<Link>();
  let listensSeen = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    const link: Link = { client, upstream, listens: false, silenced: false };
    links.add(link);
    const end = () => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (link.silenced) return;
      if (!link.listens && chunk.includes('LISTEN ')) {
        link.listens = true;
        listensSeen += 1;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!link.silenced) client.write(chunk);
    });
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const listeners = () => [...links].filter((link) => link.listens && !link.silenced);
  return {
    port,
    listening: () => listeners().length,
    listensSeen: () => listensSeen,
    cutListeners: () => {
      for (const link of listeners()) {
        link.client.destroy();
        link.upstream.destroy();
      }
    },
    silenceListeners: () => {
      const silenced = listeners();
      for (const link of silenced) link.silenced = true;
      return silenced.length;
    },
    close: async () => {
      for (const link of links) {
        link.client.destroy();
        link.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
