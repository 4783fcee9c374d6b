import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Retention (issue 11): a project may keep its finished runs for another number of days than the
 * runner's default (`TRELLIS_RUNNER_RETENTION_DAYS`; 0 keeps them for ever). The index serves the
 * retention loop, which deletes the oldest finished runs first.
 */
export const retention: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('runner_project_settings')
      .addColumn('project_id', 'uuid', (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
      .addColumn('retention_days', 'integer', (c) => c.check(sql`retention_days >= 0`))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('runs_finished_idx').on('runs').columns(['finished_at', 'id'])
      .where(sql.ref('status'), 'in', sql`('succeeded', 'failed', 'canceled')`).execute();
  },
};
