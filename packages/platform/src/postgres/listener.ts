import pg from 'pg';
import type { Logger } from '../logger.js';
import { backoffMs, sleep } from '../time.js';

/**
 * LISTENs on one channel with a dedicated connection and reconnects when the server goes
 * away. Notifications only speed things up: callers must still poll, since one may be missed
 * while reconnecting.
 */
export function listenForNotifications(options: {
  connectionString: string;
  channel: string;
  onNotify: () => void;
  /** The connection was lost (or never came): notifications may be missed until the next onNotify, called once it listens again. */
  onLost?: () => void;
  logger: Logger;
}): { close: () => Promise<void> } {
  const stop = new AbortController();
  let client: pg.Client | undefined;

  async function connectOnce(): Promise<pg.Client> {
    const next = new pg.Client({ connectionString: options.connectionString, application_name: 'outbox-listener' });
    next.on('notification', () => options.onNotify());
    // Always handled: an unhandled 'error' event would crash the process when the server goes away.
    next.on('error', (error) => next.emit('lost', error));
    await next.connect();
    await next.query(`LISTEN ${pg.escapeIdentifier(options.channel)}`);
    return next;
  }

  void (async () => {
    for (let attempt = 0; !stop.signal.aborted; ) {
      try {
        client = await connectOnce();
        attempt = 0;
        options.onNotify(); // catch up on whatever was committed while we were away
        await new Promise<void>((resolve) => {
          client?.once('lost', (error: Error) => {
            options.logger.warn('notification listener lost its connection', { error: error.message });
            resolve();
          });
          client?.once('end', () => resolve());
          stop.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      } catch (error) {
        options.logger.debug('notification listener cannot connect yet', { error: (error as Error).message });
      }
      const lost = client;
      client = undefined;
      options.onLost?.();
      await lost?.end().catch(() => undefined);
      if (!stop.signal.aborted) await sleep(backoffMs(attempt++, 200, 5000), stop.signal);
    }
  })();

  return {
    close: async () => {
      stop.abort();
      await client?.end().catch(() => undefined);
    },
  };
}
