import type { Channel } from 'amqplib';
import { exchangeOf } from '@trellis/platform/amqp/topology';
import { declareServiceTopology, eventsQueueOf } from '@trellis/platform/tenancy/tenant-service';

export const SERVICE = 'action-builder';

/** The events queue of the action builder: authorization's tenancy events and the repository's build requests. */
export const eventsQueue = (retryDelaysMs: readonly number[]) =>
  eventsQueueOf(SERVICE, retryDelaysMs, [{ exchange: exchangeOf('repository'), routingKey: 'trellis.repository.v1.ActionBuildRequested' }]);

/** Declared by migrate (before any service starts) and again by the service at every broker connect. */
export const declareTopology = (channel: Channel, retryDelaysMs: readonly number[]) => declareServiceTopology(channel, SERVICE, eventsQueue(retryDelaysMs));
