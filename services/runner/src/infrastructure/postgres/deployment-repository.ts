import { sql, type Selectable, type Transaction } from 'kysely';
import type { DeploymentRepository } from '../../application/ports.js';
import { actionName, type Deployment, type DeployedVersion, type PinnedAction, type StaticFile } from '../../domain/deployment.js';
import type { Database, DeploymentsTable } from './schema.js';

/** Sent when a deployment is saved `deploying` or `undeploying` (delivered at commit): wakes the deployment job of every runner process. */
export const DEPLOYMENTS_CHANNEL = 'trellis_deployments';

function toRow(deployment: Deployment) {
  return {
    workflow_id: deployment.workflowId, project_id: deployment.projectId, name: deployment.name, version: deployment.version,
    deployment_id: deployment.deploymentId, status: deployment.status, mode: deployment.mode, reason: deployment.reason,
    serving_version: deployment.servingVersion, trigger_type: deployment.triggerType, http_path: deployment.httpPath,
    trace_id: deployment.traceId, updated_at: deployment.updatedAt,
  };
}

export function fromRow(row: Selectable<DeploymentsTable>): Deployment {
  return {
    workflowId: row.workflow_id, projectId: row.project_id, name: row.name, version: row.version, deploymentId: row.deployment_id,
    status: row.status, mode: row.mode, reason: row.reason, servingVersion: row.serving_version, triggerType: row.trigger_type,
    httpPath: row.http_path, traceId: row.trace_id, updatedAt: row.updated_at,
  };
}

/** The document's text exactly as stored (a json column keeps it). */
const documentText = sql<string>`document::text`.as('document_json');

/** What each workflow serves and the versions studio sent, in the caller's transaction. */
export function makeDeploymentRepository(trx: Transaction<Database>): DeploymentRepository {
  return {
    findForUpdate: async (workflowId) => {
      const row = await trx.selectFrom('deployments').selectAll().where('workflow_id', '=', workflowId).forUpdate().executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },
    save: async (deployment) => {
      const row = toRow(deployment);
      await trx.insertInto('deployments').values(row).onConflict((c) => c.column('workflow_id').doUpdateSet(row)).execute();
      if (deployment.status === 'deploying' || deployment.status === 'undeploying') await sql`select pg_notify(${DEPLOYMENTS_CHANNEL}, ${deployment.workflowId})`.execute(trx);
    },
    recordVersion: async (version) => {
      await trx.insertInto('deployed_versions').values({
        workflow_id: version.workflowId, version: version.version, project_id: version.projectId, name: version.name, checksum: version.checksum,
        document: version.documentJson, actions: JSON.stringify(version.actions), files: JSON.stringify(version.files), site: version.site, received_at: version.receivedAt,
      }).onConflict((c) => c.columns(['workflow_id', 'version']).doNothing()).execute();
    },
    findVersion: async (workflowId, version): Promise<DeployedVersion | undefined> => {
      const row = await trx.selectFrom('deployed_versions')
        .select(['workflow_id', 'version', 'project_id', 'name', 'checksum', documentText, 'actions', 'files', 'site', 'received_at'])
        .where('workflow_id', '=', workflowId).where('version', '=', version).executeTakeFirst();
      if (!row) return undefined;
      return {
        workflowId: row.workflow_id, version: row.version, projectId: row.project_id, name: row.name, checksum: row.checksum,
        documentJson: row.document_json, actions: row.actions as PinnedAction[], files: row.files as StaticFile[], site: row.site, receivedAt: row.received_at,
      };
    },
    servingPath: async (projectId, httpPath, exceptWorkflowId) => trx.selectFrom('deployments')
      .select(['workflow_id as workflowId', 'name'])
      .where('project_id', '=', projectId).where('http_path', '=', httpPath).where('serving_version', 'is not', null).where('workflow_id', '<>', exceptWorkflowId)
      .executeTakeFirst(),
    actionsInUse: async (projectId) => {
      const rows = await trx.selectFrom('deployments as d')
        .innerJoin('deployed_versions as v', (join) => join.onRef('v.workflow_id', '=', 'd.workflow_id')
          .on((eb) => eb.or([eb('v.version', '=', eb.ref('d.serving_version')), eb.and([eb('d.status', '=', 'deploying'), eb('v.version', '=', eb.ref('d.version'))])])))
        .select('v.actions').where('d.project_id', '=', projectId).execute();
      return new Set(rows.flatMap((row) => (row.actions as PinnedAction[]).map(actionName)));
    },
    deploying: async () => trx.selectFrom('deployments').select(['workflow_id as workflowId', 'deployment_id as deploymentId'])
      .where('status', '=', 'deploying').orderBy('updated_at').execute(),
    undeploying: async () => trx.selectFrom('deployments').select(['workflow_id as workflowId', 'deployment_id as deploymentId'])
      .where('status', '=', 'undeploying').orderBy('updated_at').execute(),
  };
}
