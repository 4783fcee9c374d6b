import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The durable build queue (issue 9): one row per build (its id is the repository's build_id),
 * claimed by builder processes under a lease; the lines of running builds' logs. Both go with
 * their project's row.
 */
export const builds: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('builds')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('source_id', 'uuid', (c) => c.notNull())
      .addColumn('source_name', 'text', (c) => c.notNull())
      .addColumn('commit', 'text', (c) => c.notNull())
      .addColumn('folder', 'text', (c) => c.notNull())
      .addColumn('action_id', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('source_object', 'text', (c) => c.notNull())
      .addColumn('source_sha256', 'text', (c) => c.notNull())
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('image_sites', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
      .addColumn('trace_id', 'text', (c) => c.notNull())
      .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('queued', 'running', 'succeeded', 'failed', 'canceled')`))
      .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lease_owner', 'uuid')
      .addColumn('lease_expires_at', 'timestamptz')
      .addColumn('cancel_requested_by', 'text')
      .addColumn('started_at', 'timestamptz')
      .addColumn('finished_at', 'timestamptz')
      .addColumn('failure_reason', 'text')
      .addColumn('digest', 'text')
      .addColumn('artifact_object', 'text')
      .addColumn('artifact_size', 'bigint')
      .addColumn('log_object', 'text')
      // Lines of the log up to this one are in the object store (log_object's key), the rest in build_log_lines.
      .addColumn('log_stored_lines', 'integer', (c) => c.notNull().defaultTo(0))
      .addCheckConstraint('builds_running_has_lease', sql`(state = 'running') = (lease_owner is not null and lease_expires_at is not null)`)
      .execute();
    // The claim reads only unfinished builds, oldest first.
    await db.schema.createIndex('builds_unfinished').on('builds').columns(['requested_at', 'id']).where(sql.ref('state'), 'in', ['queued', 'running']).execute();
    // Lists: a project's builds, newest first, optionally of one source or action.
    await db.schema.createIndex('builds_by_project').on('builds').columns(['project_id', 'requested_at desc', 'id desc']).execute();
    await db.schema.createIndex('builds_by_holder').on('builds').column('lease_owner').where('lease_owner', 'is not', null).execute();

    await db.schema
      .createTable('build_log_lines')
      .addColumn('build_id', 'uuid', (c) => c.notNull().references('builds.id').onDelete('cascade'))
      // 1 for the log's first line: a line's number in the whole log.
      .addColumn('line_no', 'integer', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('build_log_lines_pk', ['build_id', 'line_no'])
      .execute();
  },
};
