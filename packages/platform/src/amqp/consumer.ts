import type { ConsumeMessage } from 'amqplib';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { claimInbox, purgeInbox } from '../postgres/inbox.js';
import { sleep } from '../time.js';
import type { BrokerConnection, Delivery } from './connection.js';
import { deadLetterQueueOf, retryQueueOf, type ConsumerQueue } from './topology.js';

export const PROTOBUF = 'application/x-protobuf';
export const ATTEMPT_HEADER = 'x-trellis-attempt';
export const TRACE_HEADER = 'x-trace-id';
export const PROJECT_HEADER = 'x-project-id';

export type MessageContext<Schema> = {
  /** The handler's transaction: its writes and the inbox row commit together. */
  trx: Transaction<Schema>;
  messageId: string;
  traceId: string;
  attempt: number;
  logger: Logger;
};

export type MessageHandler<Schema, Message> = {
  /** Turns bytes into the message; throws when they are not one (the delivery is then dead-lettered at once). */
  decode: (content: Uint8Array) => Message;
  /** Throws on a failure of the world (retried); returns normally after a business rejection (acknowledged). */
  handle: (message: Message, context: MessageContext<Schema>) => Promise<void>;
};

export type ConsumerOptions<Schema> = {
  broker: BrokerConnection;
  db: Kysely<Schema>;
  queue: ConsumerQueue;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler decodes its own message type
  handlers: Readonly<Record<string, MessageHandler<Schema, any>>>;
  logger: Logger;
  metrics: Metrics;
  prefetch?: number;
  handlerTimeoutMs?: number;
  /** Inbox rows only need to outlive any redelivery; older ones are deleted hourly. */
  inboxRetentionMs?: number;
};

const HOUR_MS = 3600_000;

type Outcome = 'ok' | 'duplicate' | 'retried' | 'dead_lettered';

function headerString(message: ConsumeMessage, name: string): string | undefined {
  const value: unknown = message.properties.headers?.[name];
  return typeof value === 'string' ? value : undefined;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`handler timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}

/**
 * Consumes one queue: dedups through the inbox in the handler's transaction, retries a
 * handler that throws through the delay queues, and dead-letters what cannot be decoded or
 * keeps failing. A message is acknowledged only once its fate is recorded somewhere durable.
 */
export function startConsumer<Schema>(options: ConsumerOptions<Schema>): { stop: () => Promise<void> } {
  const { broker, queue, logger, metrics } = options;
  const maxAttempts = queue.retryDelaysMs.length + 1;
  const inFlight = new Set<Promise<void>>();

  async function forward(message: ConsumeMessage, target: string, headers: Record<string, unknown>): Promise<void> {
    await broker.publish('', target, message.content, {
      ...message.properties,
      headers: { ...message.properties.headers, ...headers },
      persistent: true,
    });
  }

  async function deadLetter(message: ConsumeMessage, reason: string): Promise<'dead_lettered'> {
    await forward(message, deadLetterQueueOf(queue.name), {
      'x-trellis-dead-reason': reason,
      'x-trellis-dead-at': new Date().toISOString(),
    });
    return 'dead_lettered';
  }

  async function handleDelivery(message: ConsumeMessage, log: Logger, attempt: number): Promise<Outcome> {
    const { type, messageId, contentType } = message.properties as { type?: string; messageId?: string; contentType?: string };
    if (!type || !messageId) return deadLetter(message, 'undecodable: no type or message id');
    const handler = options.handlers[type];
    if (!handler) return deadLetter(message, `undecodable: no handler for type ${type}`);
    let decoded: unknown;
    try {
      if (contentType !== PROTOBUF) throw new Error(`content type ${String(contentType)} is not ${PROTOBUF}`);
      decoded = handler.decode(message.content);
    } catch (error) {
      return deadLetter(message, `undecodable: ${describe(error)}`);
    }
    try {
      const traceId = headerString(message, TRACE_HEADER) ?? messageId;
      return await withTimeout(
        options.db.transaction().execute(async (trx) => {
          if (!(await claimInbox(trx, queue.name, messageId, type))) return 'duplicate' as const;
          await handler.handle(decoded, { trx, messageId, traceId, attempt, logger: log });
          return 'ok' as const;
        }),
        options.handlerTimeoutMs ?? 60_000,
      );
    } catch (error) {
      if (attempt >= maxAttempts) return deadLetter(message, `handler failed ${attempt} times: ${describe(error)}`);
      const delayMs = queue.retryDelaysMs[attempt - 1] ?? 0;
      log.warn('message handler failed; will retry', { error: describe(error), retry_in_ms: delayMs });
      await forward(message, retryQueueOf(queue.name, delayMs), { [ATTEMPT_HEADER]: attempt + 1, 'x-trellis-last-error': describe(error) });
      return 'retried';
    }
  }

  async function onMessage(message: ConsumeMessage, delivery: Delivery): Promise<void> {
    const started = nowSeconds();
    const attempt = Number(message.properties.headers?.[ATTEMPT_HEADER] ?? 1) || 1;
    const type = String(message.properties.type ?? 'unknown');
    const log = logger.child({
      queue: queue.name,
      message_id: message.properties.messageId,
      message_type: type,
      trace_id: headerString(message, TRACE_HEADER),
      attempt,
    });
    try {
      const outcome = await handleDelivery(message, log, attempt);
      delivery.ack();
      const seconds = nowSeconds() - started;
      metrics.messagesConsumed.inc({ queue: queue.name, type, outcome });
      metrics.messageHandlingDuration.observe({ queue: queue.name, type }, seconds);
      log.log(outcome === 'dead_lettered' ? 'error' : 'info', 'message', { outcome, duration_ms: Math.round(seconds * 1e6) / 1e3 });
    } catch (error) {
      // We could not even record the failure (the broker is unreachable): give the delivery
      // back after a pause so a broken path does not spin.
      log.error('message could not be handled nor forwarded; requeueing', { error: describe(error) });
      await sleep(1000);
      delivery.nack(true);
    }
  }

  const subscription = broker.subscribe({
    queue: queue.name,
    prefetch: options.prefetch ?? 16,
    onMessage: (message, delivery) => {
      const work = onMessage(message, delivery);
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    },
  });

  const retentionMs = options.inboxRetentionMs ?? 30 * 24 * HOUR_MS;
  const purge = () =>
    purgeInbox(options.db, queue.name, new Date(Date.now() - retentionMs)).catch((error: unknown) =>
      logger.warn('inbox purge failed', { queue: queue.name, error: describe(error) }),
    );
  void purge();
  const purgeTimer = setInterval(() => void purge(), HOUR_MS);
  purgeTimer.unref();

  return {
    stop: async () => {
      clearInterval(purgeTimer);
      await subscription.cancel();
      await Promise.allSettled([...inFlight]);
      await subscription.close();
    },
  };
}

function nowSeconds(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}
