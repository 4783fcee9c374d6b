import type { Channel } from 'amqplib';
import { exchangeOf } from '@trellis/platform/amqp/topology';
import { declareServiceTopology, eventsQueueOf } from '@trellis/platform/tenancy/tenant-service';

export const SERVICE = 'studio';

export const ACTION_BUILT = 'trellis.action_builder.v1.ActionBuilt';

/** Studio's events queue: authorization's tenancy events and the builder's finished builds (the library). */
export const eventsQueue = (retryDelaysMs: readonly number[]) =>
  eventsQueueOf(SERVICE, retryDelaysMs, [{ exchange: exchangeOf('action-builder'), routingKey: ACTION_BUILT }]);

/** Declared by migrate (before any service starts) and again by the service at every broker connect. */
export const declareTopology = (channel: Channel, retryDelaysMs: readonly number[]) => declareServiceTopology(channel, SERVICE, eventsQueue(retryDelaysMs));
