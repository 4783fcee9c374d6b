import type { MessageHandler } from '@trellis/platform/amqp/consumer';
import { handleDeployRequested } from '../../application/handle-deploy-requested.js';
import { handleUndeployRequested } from '../../application/handle-undeploy-requested.js';
import type { DeployRequest, UndeployRequest } from '../../domain/deployment.js';
import type { Database } from '../postgres/schema.js';
import { unitOfWorkIn } from '../postgres/unit-of-work.js';
import { decodeDeployRequested, decodeUndeployRequested, type Decoded } from './deployment-codecs.js';
import { WORKFLOW_DEPLOY_REQUESTED, WORKFLOW_UNDEPLOY_REQUESTED } from './topology.js';

/**
 * Studio's deploy and undeploy requests, each in the inbox transaction. Each is only recorded
 * here (`deploying`, `undeploying`): the deployment job prepares or settles it once the
 * transaction commits, so no handler waits on the site or on runs holding the project's lock.
 */
export function makeDeploymentHandlers(): {
  [WORKFLOW_DEPLOY_REQUESTED]: MessageHandler<Database, Decoded<DeployRequest>>;
  [WORKFLOW_UNDEPLOY_REQUESTED]: MessageHandler<Database, Decoded<UndeployRequest>>;
} {
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
        const result = await handleUndeployRequested({ uow: unitOfWorkIn(trx) }, { ...request, traceId });
        logger.info('undeploy request handled', {
          project_id: request.projectId, workflow_id: request.workflowId, deployment_id: request.deploymentId, mode: request.mode,
          ...(result.ok ? { outcome: result.value.outcome } : { ignored: result.error.type }),
        });
      },
    },
  };
}
