import type { Channel } from 'amqplib';
import { declareConsumerQueue, declareEmitterExchange } from '@trellis/platform/amqp/topology';
import { EMITTER, eventsQueue } from './consumers.js';

/** Declared by migrate (before any service starts) and again by main at every broker connect. */
export async function declareTopology(channel: Channel, retryDelaysMs: readonly number[]): Promise<void> {
  await declareEmitterExchange(channel, EMITTER);
  await declareConsumerQueue(channel, eventsQueue(retryDelaysMs));
}
