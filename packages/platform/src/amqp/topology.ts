import type { Channel } from 'amqplib';

/** One durable topic exchange per emitting service. */
export function exchangeOf(emitter: string): string {
  return `trellis.${emitter}`;
}

export async function declareEmitterExchange(channel: Channel, emitter: string): Promise<void> {
  await channel.assertExchange(exchangeOf(emitter), 'topic', { durable: true });
}

export type Binding = { exchange: string; routingKey: string };

export type ConsumerQueue = {
  /** `trellis.<consumer>.<purpose>`, e.g. `trellis.studio.events`. */
  name: string;
  bindings: readonly Binding[];
  /** Delay before each retry; a message is tried once plus once per entry, then dead-lettered. */
  retryDelaysMs: readonly number[];
};

/** The delay is part of the name, so changing the delays makes new queues instead of clashing with the old arguments. */
export function retryQueueOf(queue: string, delayMs: number): string {
  return `${queue}.retry.${delayMs}ms`;
}

export function deadLetterQueueOf(queue: string): string {
  return `${queue}.dead`;
}

/**
 * The consumer's queue, its bindings, one delay queue per retry step (its messages expire back
 * into the main queue through the default exchange) and its dead-letter queue.
 */
export async function declareConsumerQueue(channel: Channel, queue: ConsumerQueue): Promise<void> {
  await channel.assertQueue(queue.name, { durable: true });
  for (const binding of queue.bindings) await channel.bindQueue(queue.name, binding.exchange, binding.routingKey);
  for (const delayMs of new Set(queue.retryDelaysMs)) {
    await channel.assertQueue(retryQueueOf(queue.name, delayMs), {
      durable: true,
      arguments: { 'x-message-ttl': delayMs, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue.name },
    });
  }
  await channel.assertQueue(deadLetterQueueOf(queue.name), { durable: true });
}
