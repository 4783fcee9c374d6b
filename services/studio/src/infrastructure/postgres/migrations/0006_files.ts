import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Uploaded files (issue 10): a row per file, its content in the object store under `object`. A
 * row is written only once its content is stored, and goes with its project. A version of a
 * workflow that gives a file as a static value uses it (`workflow_version_uses.kind = 'file'`,
 * the file's id as the name).
 */
export const files: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('files')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', sql`text collate "C"`, (c) => c.notNull().check(sql`char_length(name) between 1 and 255`))
      .addColumn('content_type', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull().check(sql`size >= 0`))
      .addColumn('sha256', 'text', (c) => c.notNull().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
      .addColumn('object', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();
    await sql`create index files_by_name on files (project_id, name, id)`.execute(db);

    await sql`alter table workflow_version_uses drop constraint workflow_version_uses_kind_check`.execute(db);
    await sql`alter table workflow_version_uses add constraint workflow_version_uses_kind_check check (kind in ('action', 'variable', 'secret', 'file'))`.execute(db);
  },
};
