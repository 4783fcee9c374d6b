import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Workflows (issue 10): the draft of each, its frozen versions and what each version uses. A
 * document is stored as `json`, which keeps its text (and so its key order) as written: a
 * version's checksum and an export are of those exact bytes (`jsonb` would reorder the keys).
 * The draft's HTTP trigger path and trigger type have columns of their own, for the path check
 * and the list's filter. Everything goes with its project.
 */
export const workflows: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('workflows')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', sql`text collate "C"`, (c) => c.notNull())
      .addColumn('document', 'json', (c) => c.notNull())
      .addColumn('http_path', 'text')
      .addColumn('trigger_type', 'text')
      .addColumn('latest_version', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('deployment_id', 'uuid')
      .addColumn('deployment_status', 'text', (c) => c.check(sql`deployment_status in ('deploying', 'deployed', 'failed', 'undeploying', 'undeployed')`))
      .addColumn('deployment_version', 'integer')
      .addColumn('serving_version', 'integer')
      .addColumn('deployment_reason', 'text')
      .addColumn('undeploy_mode', 'text', (c) => c.check(sql`undeploy_mode in ('graceful', 'immediate')`))
      .addColumn('deployment_requested_by', 'text')
      .addColumn('deployment_updated_at', 'timestamptz')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addUniqueConstraint('workflows_name_unique', ['project_id', 'name'])
      .addCheckConstraint('workflows_deployment_whole', sql`(deployment_id is null) = (deployment_status is null)
        and (deployment_id is null) = (deployment_version is null) and (deployment_id is null) = (deployment_updated_at is null)`)
      .execute();
    await sql`create index workflows_http_paths on workflows (project_id, http_path) where http_path is not null`.execute(db);

    await db.schema
      .createTable('workflow_versions')
      .addColumn('workflow_id', 'uuid', (c) => c.notNull().references('workflows.id').onDelete('cascade'))
      .addColumn('version', 'integer', (c) => c.notNull().check(sql`version > 0`))
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('document', 'json', (c) => c.notNull())
      .addColumn('checksum', 'text', (c) => c.notNull().check(sql`checksum ~ '^[0-9a-f]{64}$'`))
      .addColumn('pins', 'jsonb', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('workflow_versions_pk', ['workflow_id', 'version'])
      .execute();

    await db.schema
      .createTable('workflow_version_uses')
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('workflow_id', 'uuid', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('action', 'variable', 'secret')`))
      .addColumn('name', sql`text collate "C"`, (c) => c.notNull())
      .addPrimaryKeyConstraint('workflow_version_uses_pk', ['workflow_id', 'version', 'kind', 'name'])
      .addForeignKeyConstraint('workflow_version_uses_version', ['workflow_id', 'version'], 'workflow_versions', ['workflow_id', 'version'], (c) => c.onDelete('cascade'))
      .execute();
    await sql`create index workflow_version_uses_by_name on workflow_version_uses (project_id, kind, name)`.execute(db);
  },
};
