import type { MessageHandler } from '@trellis/platform/amqp/consumer';
import { recordBuiltAction } from '../../application/record-built-action.js';
import { recordDeployAnswer } from '../../application/record-deploy-answer.js';
import type { LibraryAction } from '../../domain/library-action.js';
import type { DeployAnswer } from '../../domain/workflow/workflow.js';
import { unitOfWorkIn } from '../postgres/unit-of-work.js';
import type { Database } from '../postgres/schema.js';
import { decodeActionBuilt } from './codecs.js';
import { ACTION_BUILT, WORKFLOW_DEPLOYED, WORKFLOW_DEPLOY_FAILED, WORKFLOW_UNDEPLOYED } from './topology.js';
import { decodeWorkflowDeployed, decodeWorkflowDeployFailed, decodeWorkflowUndeployed } from './workflow-codecs.js';

/** The runner's answer, recorded in the inbox transaction (a stale one is acknowledged and logged). */
function deployAnswerHandler(decode: (content: Uint8Array) => DeployAnswer): MessageHandler<Database, DeployAnswer> {
  return {
    decode,
    handle: async (answer, { trx, logger }) => {
      const { outcome } = await recordDeployAnswer({ uow: unitOfWorkIn(trx), clock: () => new Date() }, answer);
      logger.info('deploy answer recorded', {
        project_id: answer.projectId, workflow_id: answer.workflowId, deployment_id: answer.deploymentId, answer: answer.kind, version: answer.version, outcome,
      });
    },
  };
}

const actionBuilt: MessageHandler<Database, LibraryAction> = {
  decode: decodeActionBuilt,
  handle: async (built, { trx, logger }) => {
    const result = await recordBuiltAction({ uow: unitOfWorkIn(trx) }, built);
    logger.info('built action recorded', {
      project_id: built.projectId, action_id: built.actionId, version: built.version, digest: built.digest,
      ...(result.ok ? { arrival: result.value.arrival } : { ignored: result.error.type }),
    });
  },
};

/** Studio's own handlers (tenancy's come with startTenantService); each runs in the inbox transaction. */
export function makeHandlers(): Record<string, MessageHandler<Database, LibraryAction> | MessageHandler<Database, DeployAnswer>> {
  return {
    [ACTION_BUILT]: actionBuilt,
    [WORKFLOW_DEPLOYED]: deployAnswerHandler(decodeWorkflowDeployed),
    [WORKFLOW_DEPLOY_FAILED]: deployAnswerHandler(decodeWorkflowDeployFailed),
    [WORKFLOW_UNDEPLOYED]: deployAnswerHandler(decodeWorkflowUndeployed),
  };
}
