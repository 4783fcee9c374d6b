import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The project variables and secrets studio announces (issue 10), as runs read them, and the
 * tombstones of deleted names: each keeps the revision of the last change applied, so a late
 * or redelivered event never undoes a newer one. Every row goes with its project.
 */
export const projectValues: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('project_variables')
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('value', 'jsonb', (c) => c.notNull())
      .addColumn('revision', 'bigint', (c) => c.notNull().check(sql`revision >= 0`))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .addPrimaryKeyConstraint('project_variables_pk', ['project_id', 'name'])
      .execute();
    await db.schema
      .createTable('project_secrets')
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      // HPKE: enc || ciphertext, sealed by studio for the runner key `key_id` (never in clear here).
      .addColumn('sealed', 'bytea', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('revision', 'bigint', (c) => c.notNull().check(sql`revision >= 0`))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .addPrimaryKeyConstraint('project_secrets_pk', ['project_id', 'name'])
      .execute();
    await db.schema
      .createTable('project_value_tombstones')
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('variable', 'secret')`))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('revision', 'bigint', (c) => c.notNull().check(sql`revision >= 0`))
      .addColumn('deleted_at', 'timestamptz', (c) => c.notNull())
      .addPrimaryKeyConstraint('project_value_tombstones_pk', ['project_id', 'kind', 'name'])
      .execute();
  },
};
