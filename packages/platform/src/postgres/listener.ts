import pg from 'pg';
import type { Logger } from '../logger.js';
import { backoffMs, sleep } from '../time.js';

/**
 * A LISTEN connection that hears nothing for this long is asked whether it is alive: a NAT or a
 * firewall may drop it without a word, and then no notification and no error ever comes.
 */
const ALIVE_CHECK_MS = 15_000;
/** How long it has to answer before it counts as dead. */
const ALIVE_TIMEOUT_MS = 5_000;

/**
 * LISTENs on one channel with a dedicated connection and reconnects when the server goes
 * away, or when a quiet connection does not answer a check (it died silently). Notifications
 * only speed things up: callers must still poll, since one may be missed while reconnecting.
 */
export function listenForNotifications(options: {
  connectionString: string;
  channel: string;
  onNotify: () => void;
  /** The connection was lost (or never came): notifications may be missed until the next onNotify, called once it listens again. */
  onLost?: () => void;
  logger: Logger;
  /** Tests: how often a quiet connection is checked, and how long its answer may take. */
  aliveCheck?: { everyMs: number; timeoutMs: number };
}): { close: () => Promise<void> } {
  const stop = new AbortController();
  const aliveCheck = options.aliveCheck ?? { everyMs: ALIVE_CHECK_MS, timeoutMs: ALIVE_TIMEOUT_MS };
  let client: pg.Client | undefined;
  let heardAt = Date.now();

  async function connectOnce(): Promise<pg.Client> {
    const next = new pg.Client({ connectionString: options.connectionString, application_name: 'outbox-listener' });
    next.on('notification', () => {
      heardAt = Date.now();
      options.onNotify();
    });
    // Always handled: an unhandled 'error' event would crash the process when the server goes away.
    next.on('error', (error) => next.emit('lost', error));
    await next.connect();
    await next.query(`LISTEN ${pg.escapeIdentifier(options.channel)}`);
    return next;
  }

  /** Asks a connection that has been quiet whether it is alive; one that does not answer in time is lost. */
  function checkAlive(listening: pg.Client): void {
    if (Date.now() - heardAt < aliveCheck.everyMs) return;
    heardAt = Date.now();
    listening.query({ text: 'select 1', query_timeout: aliveCheck.timeoutMs } as pg.QueryConfig)
      .catch((error: unknown) => listening.emit('lost', new Error(`it did not answer a check: ${(error as Error).message}`)));
  }

  /** Ends a lost connection without waiting on a peer that may never answer. */
  async function drop(lost: pg.Client): Promise<void> {
    const ended = lost.end().catch(() => undefined);
    const timer = sleep(1000).then(() => 'late' as const);
    if ((await Promise.race([ended, timer])) === 'late') (lost as unknown as { connection?: { stream?: { destroy: () => void } } }).connection?.stream?.destroy();
  }

  void (async () => {
    for (let attempt = 0; !stop.signal.aborted; ) {
      try {
        client = await connectOnce();
        attempt = 0;
        heardAt = Date.now();
        options.onNotify(); // catch up on whatever was committed while we were away
        const listening = client;
        const checks = setInterval(() => checkAlive(listening), Math.max(100, aliveCheck.everyMs / 3));
        await new Promise<void>((resolve) => {
          listening.once('lost', (error: Error) => {
            options.logger.warn('notification listener lost its connection', { error: error.message });
            resolve();
          });
          listening.once('end', () => resolve());
          stop.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        clearInterval(checks);
      } catch (error) {
        options.logger.debug('notification listener cannot connect yet', { error: (error as Error).message });
      }
      const lost = client;
      client = undefined;
      options.onLost?.();
      if (lost) await drop(lost);
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
