import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Schedules (issue 12): one row per workflow whose serving version has a schedule trigger, written
 * in the transaction that makes the version serve and removed in the one that undeploys it.
 * `next_tick_at` is the first tick not fired yet; the scheduler of every runner process fires due
 * ticks, then moves it on with a conditional update. Exactly once rests on the runs' unique
 * idempotency key (`schedule:<tick>`), not on this row.
 */
export const schedules: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('schedules')
      .addColumn('workflow_id', 'uuid', (c) => c.primaryKey())
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('cron', 'text', (c) => c.notNull())
      .addColumn('timezone', 'text', (c) => c.notNull())
      .addColumn('missed', 'text', (c) => c.notNull().check(sql`missed in ('skip', 'catch_up')`))
      .addColumn('catch_up_limit', 'integer', (c) => c.notNull().check(sql`catch_up_limit >= 1`))
      .addColumn('inputs', 'jsonb', (c) => c.notNull())
      .addColumn('next_tick_at', 'timestamptz', (c) => c.notNull())
      .addColumn('last_tick_at', 'timestamptz')
      .execute();
    await db.schema.createIndex('schedules_next_tick_idx').on('schedules').column('next_tick_at').execute();
  },
};
