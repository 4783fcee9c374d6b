import { sql, type Kysely, type Migration } from 'kysely';

/**
 * A project's variables and secrets (issue 10). A secret's value is stored only sealed with
 * studio's key. One sequence numbers every change of every value (deletions included): the
 * revision each event carries. Names compare byte by byte (`collate "C"`), as the references
 * in workflows do, and go with their project.
 */
export const projectValues: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await sql`create sequence project_value_revisions as bigint`.execute(db);
    const name = sql`text collate "C"`;
    const validName = sql`name ~ '^[A-Za-z_][A-Za-z0-9_]{0,63}$'`;
    await db.schema
      .createTable('project_variables')
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', name, (c) => c.notNull().check(validName))
      .addColumn('value', 'jsonb', (c) => c.notNull())
      .addColumn('revision', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('project_variables_pk', ['project_id', 'name'])
      .execute();
    await db.schema
      .createTable('project_secrets')
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', name, (c) => c.notNull().check(validName))
      .addColumn('sealed', 'text', (c) => c.notNull())
      .addColumn('revision', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('project_secrets_pk', ['project_id', 'name'])
      .execute();
  },
};
