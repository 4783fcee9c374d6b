import type { Channel } from 'amqplib';
import { exchangeOf } from '@trellis/platform/amqp/topology';
import { declareServiceTopology, eventsQueueOf } from '@trellis/platform/tenancy/tenant-service';

export const SERVICE = 'studio';

export const ACTION_BUILT = 'trellis.action_builder.v1.ActionBuilt';

/** The runner's answers to deploy and undeploy requests. */
export const WORKFLOW_DEPLOYED = 'trellis.runner.v1.WorkflowDeployed';
export const WORKFLOW_DEPLOY_FAILED = 'trellis.runner.v1.WorkflowDeployFailed';
export const WORKFLOW_UNDEPLOYED = 'trellis.runner.v1.WorkflowUndeployed';

/** Studio's events queue: authorization's tenancy events, the builder's finished builds (the library) and the runner's answers (deployments). */
export const eventsQueue = (retryDelaysMs: readonly number[]) =>
  eventsQueueOf(SERVICE, retryDelaysMs, [
    { exchange: exchangeOf('action-builder'), routingKey: ACTION_BUILT },
    ...[WORKFLOW_DEPLOYED, WORKFLOW_DEPLOY_FAILED, WORKFLOW_UNDEPLOYED].map((routingKey) => ({ exchange: exchangeOf('runner'), routingKey })),
  ]);

/** Declared by migrate (before any service starts) and again by the service at every broker connect. */
export const declareTopology = (channel: Channel, retryDelaysMs: readonly number[]) => declareServiceTopology(channel, SERVICE, eventsQueue(retryDelaysMs));
