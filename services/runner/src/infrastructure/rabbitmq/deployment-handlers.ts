import type { MessageHandler } from '@trellis/platform/amqp/consumer';
import { handleDeployRequested } from '../../application/handle-deploy-requested.js';
import { handleUndeployRequested, type RunsInFlight } from '../../application/handle-undeploy-requested.js';
import type { ActionSite } from '../../application/site.js';
import type { DeployRequest, UndeployRequest } from '../../domain/deployment.js';
import type { Database } from '../postgres/schema.js';
import { unitOfWorkIn } from '../postgres/unit-of-work.js';
import { decodeDeployRequested, decodeUndeployRequested, type Decoded } from './deployment-codecs.js';
import { WORKFLOW_DEPLOY_REQUESTED, WORKFLOW_UNDEPLOY_REQUESTED } from './topology.js';

export type DeploymentHandlerDeps = { site: Pick<ActionSite, 'release'>; runs: RunsInFlight };

/**
 * Studio's deploy and undeploy requests, each in the inbox transaction. A deploy is only recorded
 * here (`deploying`): the deployment job prepares it once the transaction commits.
 */
export function makeDeploymentHandlers(deps: DeploymentHandlerDeps): {
  [WORKFLOW_DEPLOY_REQUESTED]: MessageHandler<Database, Decoded<DeployRequest>>;
  [WORKFLOW_UNDEPLOY_REQUESTED]: MessageHandler<Database, Decoded<UndeployRequest>>;
} {
  const clock = () => new Date();
  return {
    [WORKFLOW_DEPLOY_REQUESTED]: {
      decode: decodeDeployRequested,
      handle: async (request, { trx, logger, traceId }) => {
        const result = await handleDeployRequested({ uow: unitOfWorkIn(trx) }, { ...request, traceId });
        logger.info('deploy request handled', {
          project_id: request.projectId, workflow_id: request.workflowId, deployment_id: request.deploymentId, version: request.version,
          actions: request.actions.length, ...(result.ok ? { outcome: result.value.outcome } : { ignored: result.error.type }),
        });
      },
    },
    [WORKFLOW_UNDEPLOY_REQUESTED]: {
      decode: decodeUndeployRequested,
      handle: async (request, { trx, logger, traceId }) => {
        const result = await handleUndeployRequested({ uow: unitOfWorkIn(trx), clock, runs: deps.runs, site: deps.site }, { ...request, traceId });
        logger.info('undeploy request handled', {
          project_id: request.projectId, workflow_id: request.workflowId, deployment_id: request.deploymentId, mode: request.mode,
          ...(result.ok ? { outcome: result.value.outcome } : { ignored: result.error.type }),
        });
      },
    },
  };
}
