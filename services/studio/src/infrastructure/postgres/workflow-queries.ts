import { sql, type Kysely } from 'kysely';
import { pageOf, type Page, type PageRequest } from '@trellis/kernel/page';
import type { Deployment, WorkflowVersion } from '../../domain/workflow/workflow.js';
import type { Database } from './schema.js';
import { deploymentFromRow, versionFromRow } from './workflow-repository.js';

const likePattern = (text: string) => `%${text.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export type WorkflowSummary = {
  readonly id: string;
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly triggerType: string | null;
  readonly httpPath: string | null;
  readonly stepCount: number;
  readonly latestVersion: number;
  readonly deployment: Deployment | null;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly updatedAt: Date;
  readonly updatedBy: string;
};

export type WorkflowFilter = { search?: string | undefined; status?: string | undefined; trigger?: string | undefined };

/** Read-only views of workflows for the HTTP edge (no rule runs here; keyset pagination). */
export function makeWorkflowQueries(db: Kysely<Database>) {
  return {
    /** The project's workflows by name. */
    list: async (projectId: string, filter: WorkflowFilter, page: PageRequest<string>): Promise<Page<WorkflowSummary>> => {
      let query = db.selectFrom('workflows')
        .select(['id', 'name', 'trigger_type', 'http_path', 'latest_version', 'created_at', 'created_by', 'updated_at', 'updated_by',
          'deployment_id', 'deployment_status', 'deployment_version', 'serving_version', 'deployment_reason', 'undeploy_mode', 'deployment_requested_by', 'deployment_updated_at'])
        .select([
          sql<string>`coalesce(document->>'title', '')`.as('title'),
          sql<string>`coalesce(document->>'description', '')`.as('description'),
          sql<number>`case when json_typeof(document->'steps') = 'array' then json_array_length(document->'steps') else 0 end`.as('step_count'),
        ])
        .where('project_id', '=', projectId);
      if (filter.search?.trim()) {
        const pattern = likePattern(filter.search);
        query = query.where((eb) => eb.or([eb('name', 'ilike', pattern), eb(sql`document->>'title'`, 'ilike', pattern), eb(sql`document->>'description'`, 'ilike', pattern)]));
      }
      if (filter.status === 'none') query = query.where('deployment_status', 'is', null);
      else if (filter.status) query = query.where('deployment_status', '=', filter.status);
      if (filter.trigger) query = query.where('trigger_type', '=', filter.trigger);
      if (page.after !== undefined) query = query.where('name', '>', page.after);
      const rows = await query.orderBy('name').limit(page.limit + 1).execute();
      return pageOf(rows.map((row) => ({
        id: row.id, name: row.name, title: row.title, description: row.description, triggerType: row.trigger_type, httpPath: row.http_path,
        stepCount: Number(row.step_count), latestVersion: row.latest_version, deployment: deploymentFromRow(row),
        createdAt: row.created_at, createdBy: row.created_by, updatedAt: row.updated_at, updatedBy: row.updated_by,
      })), page.limit);
    },
    /** A workflow's versions, newest first (without their documents); undefined when the project has no such workflow. */
    versions: async (projectId: string, workflowId: string, page: PageRequest<number>): Promise<Page<Omit<WorkflowVersion, 'document'>> | undefined> => {
      const workflow = await db.selectFrom('workflows').select('id').where('project_id', '=', projectId).where('id', '=', workflowId).executeTakeFirst();
      if (!workflow) return undefined;
      let query = db.selectFrom('workflow_versions').select(['workflow_id', 'version', 'project_id', 'checksum', 'pins', 'created_at', 'created_by'])
        .where('project_id', '=', projectId).where('workflow_id', '=', workflowId);
      if (page.after !== undefined) query = query.where('version', '<', page.after);
      const rows = await query.orderBy('version', 'desc').limit(page.limit + 1).execute();
      return pageOf(rows.map((row) => {
        const { document: _none, ...version } = versionFromRow({ ...row, document: null });
        return version;
      }), page.limit);
    },
  };
}

export type WorkflowQueries = ReturnType<typeof makeWorkflowQueries>;
