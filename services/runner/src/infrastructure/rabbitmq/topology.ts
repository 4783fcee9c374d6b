import type { Channel } from 'amqplib';
import { exchangeOf } from '@trellis/platform/amqp/topology';
import { declareServiceTopology, eventsQueueOf } from '@trellis/platform/tenancy/tenant-service';

export const SERVICE = 'runner';

export const PROJECT_VARIABLE_SET = 'trellis.studio.v1.ProjectVariableSet';
export const PROJECT_VARIABLE_DELETED = 'trellis.studio.v1.ProjectVariableDeleted';
export const PROJECT_SECRET_SET = 'trellis.studio.v1.ProjectSecretSet';
export const PROJECT_SECRET_DELETED = 'trellis.studio.v1.ProjectSecretDeleted';

export const WORKFLOW_DEPLOY_REQUESTED = 'trellis.studio.v1.WorkflowDeployRequested';
export const WORKFLOW_UNDEPLOY_REQUESTED = 'trellis.studio.v1.WorkflowUndeployRequested';

/** Studio's events the runner follows: the project values its runs read, and the deployments it serves. */
export const STUDIO_EVENTS = [
  PROJECT_VARIABLE_SET, PROJECT_VARIABLE_DELETED, PROJECT_SECRET_SET, PROJECT_SECRET_DELETED, WORKFLOW_DEPLOY_REQUESTED, WORKFLOW_UNDEPLOY_REQUESTED,
] as const;

/** The events queue of the runner: authorization's tenancy events, studio's project values and deployment requests. */
export const eventsQueue = (retryDelaysMs: readonly number[]) =>
  eventsQueueOf(SERVICE, retryDelaysMs, STUDIO_EVENTS.map((routingKey) => ({ exchange: exchangeOf('studio'), routingKey })));

/** Declared by migrate (before any service starts) and again by the service at every broker connect. */
export const declareTopology = (channel: Channel, retryDelaysMs: readonly number[]) => declareServiceTopology(channel, SERVICE, eventsQueue(retryDelaysMs));
