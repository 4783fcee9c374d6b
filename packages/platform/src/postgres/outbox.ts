import { sql, type Kysely, type Transaction } from 'kysely';
import type { BrokerConnection } from '../amqp/connection.js';
import { PROJECT_HEADER, PROTOBUF, TRACE_HEADER } from '../amqp/consumer.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { startWokenLoop } from '../woken-loop.js';
import { listenForNotifications } from './listener.js';
import type { OutboxTable } from './messaging-tables.js';

export const OUTBOX_CHANNEL = 'trellis_outbox';

export type OutgoingMessage = {
  messageId: string;
  exchange: string;
  /** The message's full protobuf name; also its routing key. */
  type: string;
  payload: Uint8Array;
  occurredAt: Date;
  traceId: string;
  projectId?: string;
};

/**
 * Writes messages in the caller's transaction, so they exist exactly when the state change
 * commits. The NOTIFY is delivered at commit too, waking the relay at once.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- works on any schema that has the outbox table
export async function enqueueMessages(trx: Transaction<any>, messages: readonly OutgoingMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await trx
    .insertInto('outbox')
    .values(
      messages.map((message) => ({
        message_id: message.messageId,
        exchange: message.exchange,
        message_type: message.type,
        payload: Buffer.from(message.payload),
        occurred_at: message.occurredAt,
        headers: JSON.stringify({
          [TRACE_HEADER]: message.traceId,
          ...(message.projectId ? { [PROJECT_HEADER]: message.projectId } : {}),
        }),
      })),
    )
    .execute();
  await sql`select pg_notify(${OUTBOX_CHANNEL}, '')`.execute(trx);
}

type OutboxRow = Pick<OutboxTable, 'seq' | 'message_id' | 'exchange' | 'message_type' | 'payload' | 'headers' | 'occurred_at'>;

export type OutboxRelayOptions = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>;
  /** For the LISTEN connection that wakes the relay when a transaction with messages commits. */
  connectionString: string;
  broker: BrokerConnection;
  logger: Logger;
  metrics: Metrics;
  batchSize?: number;
  /** Safety net for a missed notification. */
  pollIntervalMs?: number;
  /** Sent rows are kept this long for inspection, then deleted. */
  retentionMs?: number;
};

export type OutboxRelay = { stop: () => Promise<void>; wake: () => void };

/**
 * Publishes committed outbox rows in order with publisher confirms and marks each one sent
 * only after its confirm. Rows are claimed with SKIP LOCKED, so several replicas can relay.
 * A crash between confirm and mark re-sends the row: consumers dedup through their inbox.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const batchSize = options.batchSize ?? 200;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const retentionMs = options.retentionMs ?? 7 * 24 * 3600_000;
  async function publish(row: OutboxRow): Promise<void> {
    await options.broker.publish(row.exchange, row.message_type, Buffer.from(row.payload), {
      messageId: row.message_id,
      type: row.message_type,
      contentType: PROTOBUF,
      timestamp: Math.floor(row.occurred_at.getTime() / 1000),
      headers: row.headers,
      persistent: true,
    });
    options.metrics.messagesPublished.inc({ exchange: row.exchange, type: row.message_type });
  }

  /** Returns how many rows it claimed; throws after committing what it could when some did not publish. */
  async function relayBatch(): Promise<number> {
    let failure: unknown;
    const claimed = await options.db.transaction().execute(async (trx) => {
      const rows = await sql<OutboxRow>`
        select seq, message_id, exchange, message_type, payload, headers, occurred_at
        from outbox where sent_at is null order by seq limit ${batchSize} for update skip locked`.execute(trx);
      const results = await Promise.allSettled(rows.rows.map(publish));
      const sent = rows.rows.filter((_, index) => results[index]?.status === 'fulfilled').map((row) => row.seq);
      const failed = rows.rows.filter((_, index) => results[index]?.status === 'rejected').map((row) => row.seq);
      if (sent.length > 0) await sql`update outbox set sent_at = now() where seq = any(${sent})`.execute(trx);
      if (failed.length > 0) {
        failure = results.find((result) => result.status === 'rejected')?.reason;
        options.metrics.publishFailures.inc({ exchange: 'outbox' }, failed.length);
        await sql`update outbox set attempts = attempts + 1, last_error = ${String((failure as Error)?.message ?? failure)}
                  where seq = any(${failed})`.execute(trx);
      }
      return rows.rows.length;
    });
    if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
    return claimed;
  }

  async function purgeSent(): Promise<void> {
    const before = new Date(Date.now() - retentionMs);
    await sql`delete from outbox where sent_at is not null and sent_at < ${before}`.execute(options.db);
  }

  let lastPurge = 0;
  const loop = startWokenLoop({
    pollMs: pollIntervalMs,
    backoff: { baseMs: 100, maxMs: 5000 },
    onError: (error, retryInMs) => options.logger.warn('outbox relay failed; retrying', { error: (error as Error).message, retry_in_ms: retryInMs }),
    step: async () => {
      const claimed = await relayBatch();
      if (Date.now() - lastPurge > 3600_000) {
        lastPurge = Date.now();
        await purgeSent();
      }
      return claimed === batchSize;
    },
  });

  const listener = listenForNotifications({
    connectionString: options.connectionString,
    channel: OUTBOX_CHANNEL,
    onNotify: loop.wake,
    logger: options.logger,
  });

  return {
    wake: loop.wake,
    stop: async () => {
      await listener.close();
      await loop.stop();
    },
  };
}
