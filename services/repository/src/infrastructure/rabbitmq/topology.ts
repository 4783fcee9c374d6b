import type { Channel } from 'amqplib';
import { declareServiceTopology, eventsQueueOf } from '@trellis/platform/tenancy/tenant-service';

export const SERVICE = 'repository';

/** The events queue of the repository: authorization's tenancy events (its own bindings arrive with its issue). */
export const eventsQueue = (retryDelaysMs: readonly number[]) => eventsQueueOf(SERVICE, retryDelaysMs);

/** Declared by migrate (before any service starts) and again by the service at every broker connect. */
export const declareTopology = (channel: Channel, retryDelaysMs: readonly number[]) => declareServiceTopology(channel, SERVICE, eventsQueue(retryDelaysMs));
