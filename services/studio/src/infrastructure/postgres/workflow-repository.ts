import type { Selectable, Transaction } from 'kysely';
import type { JsonValue } from '@trellis/kernel/io';
import type { VersionUse, WorkflowRepository, WorkflowVersionRepository } from '../../application/workflow-ports.js';
import * as Workflow from '../../domain/workflow/workflow.js';
import type { Database, WorkflowsTable, WorkflowVersionsTable } from './schema.js';

export function toRow(workflow: Workflow.Workflow) {
  const { deployment } = workflow;
  return {
    id: workflow.id, project_id: workflow.projectId, name: workflow.name, document: Workflow.documentText(workflow.document),
    http_path: Workflow.httpPathOf(workflow.document), trigger_type: Workflow.triggerTypeOf(workflow.document), latest_version: workflow.latestVersion,
    deployment_id: deployment?.id ?? null, deployment_status: deployment?.status ?? null, deployment_version: deployment?.version ?? null,
    serving_version: deployment?.servingVersion ?? null, deployment_reason: deployment?.reason ?? null, undeploy_mode: deployment?.mode ?? null,
    deployment_requested_by: deployment?.requestedBy ?? null, deployment_updated_at: deployment?.updatedAt ?? null,
    created_at: workflow.createdAt, created_by: workflow.createdBy, updated_at: workflow.updatedAt, updated_by: workflow.updatedBy,
  };
}

export function deploymentFromRow(row: Pick<Selectable<WorkflowsTable>, 'deployment_id' | 'deployment_status' | 'deployment_version' | 'serving_version'
  | 'deployment_reason' | 'undeploy_mode' | 'deployment_requested_by' | 'deployment_updated_at'>): Workflow.Deployment | null {
  if (row.deployment_id === null || row.deployment_version === null || row.deployment_updated_at === null) return null;
  return {
    id: row.deployment_id, status: row.deployment_status as Workflow.DeploymentStatus, version: row.deployment_version, servingVersion: row.serving_version,
    reason: row.deployment_reason, mode: row.undeploy_mode as Workflow.UndeployMode | null, requestedBy: row.deployment_requested_by ?? '',
    updatedAt: row.deployment_updated_at,
  };
}

export function fromRow(row: Selectable<WorkflowsTable>): Workflow.Workflow {
  return {
    id: row.id, projectId: row.project_id, name: row.name, document: row.document as JsonValue, createdAt: row.created_at, createdBy: row.created_by,
    updatedAt: row.updated_at, updatedBy: row.updated_by, latestVersion: row.latest_version, deployment: deploymentFromRow(row),
  };
}

export function versionFromRow(row: Selectable<WorkflowVersionsTable>): Workflow.WorkflowVersion {
  return {
    projectId: row.project_id, workflowId: row.workflow_id, version: row.version, document: row.document as JsonValue, checksum: row.checksum,
    pins: row.pins as Workflow.Pin[], createdAt: row.created_at, createdBy: row.created_by,
  };
}

const UNIQUE_VIOLATION = '23505';
const isUniqueViolation = (error: unknown) => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION;

export function makeWorkflowRepository(trx: Transaction<Database>): WorkflowRepository {
  const mine = (projectId: string) => trx.selectFrom('workflows').selectAll().where('project_id', '=', projectId);
  return {
    insert: async (workflow) => {
      const inserted = await trx.insertInto('workflows').values(toRow(workflow))
        .onConflict((c) => c.columns(['project_id', 'name']).doNothing()).returning('id').executeTakeFirst();
      return inserted !== undefined;
    },
    find: async (projectId, id) => {
      const row = await mine(projectId).where('id', '=', id).executeTakeFirst();
      return row && fromRow(row);
    },
    findForUpdate: async (projectId, id) => {
      const row = await mine(projectId).where('id', '=', id).forUpdate().executeTakeFirst();
      return row && fromRow(row);
    },
    findByNameForUpdate: async (projectId, name) => {
      const row = await mine(projectId).where('name', '=', name).forUpdate().executeTakeFirst();
      return row && fromRow(row);
    },
    update: async (workflow) => {
      const clash = await trx.selectFrom('workflows').select('id').where('project_id', '=', workflow.projectId)
        .where('name', '=', workflow.name).where('id', '<>', workflow.id).executeTakeFirst();
      if (clash) return false;
      const { id: _id, project_id: _project, created_at: _at, created_by: _by, ...changed } = toRow(workflow);
      try {
        await trx.updateTable('workflows').set(changed).where('project_id', '=', workflow.projectId).where('id', '=', workflow.id).execute();
      } catch (error) {
        // Another transaction took the name after the check: the caller's rejection rolls this one back.
        if (isUniqueViolation(error)) return false;
        throw error;
      }
      return true;
    },
    delete: async (projectId, id) => {
      await trx.deleteFrom('workflows').where('project_id', '=', projectId).where('id', '=', id).execute();
    },
    httpPaths: async (projectId, exceptId) => {
      let query = trx.selectFrom('workflows').select(['http_path', 'name']).where('project_id', '=', projectId).where('http_path', 'is not', null);
      if (exceptId !== undefined) query = query.where('id', '<>', exceptId);
      const rows = await query.orderBy('name').execute();
      return new Map(rows.map((row) => [row.http_path as string, row.name]));
    },
  };
}

export function makeWorkflowVersionRepository(trx: Transaction<Database>): WorkflowVersionRepository {
  const of = (projectId: string, workflowId: string) =>
    trx.selectFrom('workflow_versions').selectAll().where('project_id', '=', projectId).where('workflow_id', '=', workflowId);
  return {
    insert: async (version, uses) => {
      await trx.insertInto('workflow_versions').values({
        workflow_id: version.workflowId, version: version.version, project_id: version.projectId, document: Workflow.documentText(version.document),
        checksum: version.checksum, pins: JSON.stringify(version.pins), created_at: version.createdAt, created_by: version.createdBy,
      }).execute();
      const use = (kind: VersionUse['kind'], name: string) => ({ project_id: version.projectId, workflow_id: version.workflowId, version: version.version, kind, name });
      const rows = [
        ...uses.actions.map((action) => use('action', `${action.id}@${action.version}`)),
        ...uses.variables.map((name) => use('variable', name)),
        ...uses.secrets.map((name) => use('secret', name)),
        ...uses.files.map((id) => use('file', id)),
      ];
      if (rows.length > 0) await trx.insertInto('workflow_version_uses').values(rows).execute();
    },
    find: async (projectId, workflowId, version) => {
      const row = await of(projectId, workflowId).where('version', '=', version).executeTakeFirst();
      return row && versionFromRow(row);
    },
    latest: async (projectId, workflowId) => {
      const row = await of(projectId, workflowId).orderBy('version', 'desc').limit(1).executeTakeFirst();
      return row && versionFromRow(row);
    },
    usersOf: async (projectId, { kind, name }) => {
      const rows = await trx.selectFrom('workflow_version_uses as u').innerJoin('workflows as w', 'w.id', 'u.workflow_id')
        .select(['w.name as workflow_name', 'u.version', 'w.deployment_id', 'w.deployment_status', 'w.deployment_version', 'w.serving_version',
          'w.deployment_reason', 'w.undeploy_mode', 'w.deployment_requested_by', 'w.deployment_updated_at'])
        .where('u.project_id', '=', projectId).where('u.kind', '=', kind).where('u.name', '=', name)
        .orderBy('w.name').orderBy('u.version').execute();
      return rows.map((row) => ({ workflowName: row.workflow_name, version: row.version, deployment: deploymentFromRow(row) }));
    },
  };
}
