import type { Channel } from 'amqplib';
import { declareEmitterExchange } from '@trellis/platform/amqp/topology';

export const EMITTER = 'action-builder';

/** Declared by migrate (before any service starts) and again by main at every broker connect. */
export async function declareTopology(channel: Channel): Promise<void> {
  await declareEmitterExchange(channel, EMITTER);
}
