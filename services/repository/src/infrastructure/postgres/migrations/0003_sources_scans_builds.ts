import { sql, type Kysely, type Migration } from 'kysely';

/** Issue 9: git sources, their scans (durable jobs) with what they found, and the builds asked for. Every row goes with its project. */
export const sourcesScansBuilds: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('sources')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('branch', 'text')
      .addColumn('username', 'text')
      .addColumn('sealed_password', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .addUniqueConstraint('sources_project_name', ['project_id', 'name'])
      .addCheckConstraint('sources_credentials', sql`(username is null) = (sealed_password is null)`)
      .execute();
    await sql`create index sources_page on sources (project_id, created_at, id)`.execute(db);

    await db.schema
      .createTable('scans')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('source_id', 'uuid', (c) => c.notNull().references('sources.id').onDelete('cascade'))
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'running', 'done', 'failed', 'canceled')`))
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
      .addColumn('started_at', 'timestamptz')
      .addColumn('finished_at', 'timestamptz')
      .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_at', 'timestamptz')
      .addColumn('commit_sha', 'text')
      .addColumn('branch', 'text')
      .addColumn('failure_code', 'text')
      .addColumn('failure_message', 'text')
      .addColumn('removed_actions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
      .execute();
    // Workers look only at unfinished scans; at most one scan of a source waits at a time.
    await sql`create index scans_unfinished on scans (requested_at) where status in ('queued', 'running')`.execute(db);
    await sql`create unique index scans_one_queued on scans (source_id) where status = 'queued'`.execute(db);
    await sql`create index scans_of_source on scans (source_id, requested_at desc)`.execute(db);
    await sql`create index scans_done on scans (source_id, finished_at desc) where status = 'done'`.execute(db);

    await db.schema
      .createTable('scan_actions')
      .addColumn('scan_id', 'uuid', (c) => c.notNull().references('scans.id').onDelete('cascade'))
      .addColumn('action_id', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('folder', 'text', (c) => c.notNull())
      .addColumn('description', 'jsonb', (c) => c.notNull())
      .addColumn('source_sha256', 'text', (c) => c.notNull())
      .addColumn('source_size', 'bigint', (c) => c.notNull())
      .addColumn('source_object', 'text', (c) => c.notNull())
      .addColumn('change', 'text', (c) => c.notNull().check(sql`change in ('new', 'changed', 'unchanged')`))
      .addPrimaryKeyConstraint('scan_actions_pkey', ['scan_id', 'action_id'])
      .execute();

    await db.schema
      .createTable('scan_problems')
      .addColumn('scan_id', 'uuid', (c) => c.notNull().references('scans.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('folder', 'text', (c) => c.notNull())
      .addColumn('file', 'text', (c) => c.notNull())
      .addColumn('line_number', 'integer', (c) => c.notNull())
      .addColumn('column_number', 'integer', (c) => c.notNull())
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('scan_problems_pkey', ['scan_id', 'seq'])
      .execute();

    await db.schema
      .createTable('builds')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('source_id', 'uuid', (c) => c.notNull().references('sources.id').onDelete('cascade'))
      .addColumn('scan_id', 'uuid', (c) => c.notNull().references('scans.id').onDelete('cascade'))
      .addColumn('action_id', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('folder', 'text', (c) => c.notNull())
      .addColumn('commit_sha', 'text', (c) => c.notNull())
      .addColumn('source_object', 'text', (c) => c.notNull())
      .addColumn('source_sha256', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'running', 'built', 'failed', 'canceled')`))
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('digest', 'text')
      .addColumn('artifact_object', 'text')
      .addColumn('reason', 'text')
      .addColumn('log_tail', 'text')
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .execute();
    await sql`create index builds_of_action on builds (source_id, action_id, source_sha256, requested_at desc)`.execute(db);
    await sql`create index builds_of_scan on builds (scan_id)`.execute(db);
  },
};
