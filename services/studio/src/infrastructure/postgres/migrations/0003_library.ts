import { sql, type Kysely, type Migration } from 'kysely';

/** The action library: every built version of every action of a project (issue 9). */
export const library: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('library_actions')
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('action_id', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('Trigger', 'Processor', 'Publisher')`))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('runtime', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('categories', sql`text[]`, (c) => c.notNull())
      .addColumn('inputs', 'jsonb', (c) => c.notNull())
      .addColumn('outputs', 'jsonb', (c) => c.notNull())
      .addColumn('resources', 'jsonb', (c) => c.notNull())
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('artifact_object', 'text', (c) => c.notNull())
      .addColumn('artifact_size', 'bigint', (c) => c.notNull())
      .addColumn('logo', 'bytea')
      .addColumn('logo_media_type', 'text')
      .addColumn('source_id', 'uuid', (c) => c.notNull())
      .addColumn('commit', 'text', (c) => c.notNull())
      .addColumn('folder', 'text', (c) => c.notNull())
      .addColumn('build_id', 'uuid', (c) => c.notNull())
      .addColumn('built_at', 'timestamptz', (c) => c.notNull())
      .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('library_actions_pk', ['project_id', 'action_id', 'version'])
      .execute();
    await sql`create index library_actions_newest on library_actions (project_id, action_id, built_at desc)`.execute(db);
  },
};
