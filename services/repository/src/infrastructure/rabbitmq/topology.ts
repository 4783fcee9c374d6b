import type { Channel } from 'amqplib';
import { exchangeOf } from '@trellis/platform/amqp/topology';
import { declareServiceTopology, eventsQueueOf } from '@trellis/platform/tenancy/tenant-service';

export const SERVICE = 'repository';

/** The routing keys (full protobuf names) of the builder's reports on the builds the repository asked for. */
export const BUILDER_EVENTS = {
  started: 'trellis.action_builder.v1.ActionBuildStarted',
  built: 'trellis.action_builder.v1.ActionBuilt',
  failed: 'trellis.action_builder.v1.ActionBuildFailed',
} as const;

/** The events queue of the repository: authorization's tenancy events and the builder's reports. */
export const eventsQueue = (retryDelaysMs: readonly number[]) =>
  eventsQueueOf(SERVICE, retryDelaysMs, Object.values(BUILDER_EVENTS).map((routingKey) => ({ exchange: exchangeOf('action-builder'), routingKey })));

/** Declared by migrate (before any service starts) and again by the service at every broker connect. */
export const declareTopology = (channel: Channel, retryDelaysMs: readonly number[]) => declareServiceTopology(channel, SERVICE, eventsQueue(retryDelaysMs));
