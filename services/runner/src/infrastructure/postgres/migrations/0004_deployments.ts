import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Deployments (issue 11): every version studio sent (what runs of it read, kept byte for byte:
 * the document as `json`), and what each workflow serves now. `version`, `deployment_id` and
 * `status` describe the last request; `serving_version` is the version new runs start on (null
 * when the workflow accepts none), with its trigger. One HTTP path per project among the
 * workflows that serve. Every row goes with its project.
 */
export const deployments: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('deployed_versions')
      .addColumn('workflow_id', 'uuid', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('checksum', 'text', (c) => c.notNull())
      .addColumn('document', 'json', (c) => c.notNull())
      .addColumn('actions', 'jsonb', (c) => c.notNull())
      .addColumn('files', 'jsonb', (c) => c.notNull())
      .addColumn('received_at', 'timestamptz', (c) => c.notNull())
      .addPrimaryKeyConstraint('deployed_versions_pk', ['workflow_id', 'version'])
      .execute();
    await db.schema
      .createTable('deployments')
      .addColumn('workflow_id', 'uuid', (c) => c.primaryKey())
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
      .addColumn('deployment_id', 'uuid', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('deploying', 'active', 'failed', 'undeploying', 'undeployed')`))
      .addColumn('mode', 'text', (c) => c.check(sql`mode in ('graceful', 'immediate')`))
      .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('serving_version', 'integer')
      .addColumn('trigger_type', 'text', (c) => c.check(sql`trigger_type in ('http', 'manual', 'schedule', 'action')`))
      .addColumn('http_path', 'text')
      .addColumn('trace_id', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .addCheckConstraint('deployments_http_path_served', sql`http_path is null or serving_version is not null`)
      .execute();
    await db.schema.createIndex('deployments_project_idx').on('deployments').columns(['project_id', 'name']).execute();
    await db.schema.createIndex('deployments_http_path_unique').on('deployments').columns(['project_id', 'http_path']).unique()
      .where(sql.ref('serving_version'), 'is not', null).execute();
    await db.schema.createIndex('deployments_deploying_idx').on('deployments').column('status').where('status', '=', 'deploying').execute();
  },
};
