import { sql, type Kysely, type Migration } from 'kysely';

/**
 * A step waiting for its next attempt (issue 12): status `retrying` and the time that attempt
 * starts. The run stays with its owner meanwhile; a takeover arms the wait again from `retry_at`.
 */
export const retries: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await sql`alter table step_runs drop constraint step_runs_status_check`.execute(db);
    await sql`alter table step_runs add constraint step_runs_status_check
      check (status in ('waiting', 'running', 'retrying', 'succeeded', 'failed', 'skipped', 'canceled'))`.execute(db);
    await db.schema.alterTable('step_runs').addColumn('retry_at', 'timestamptz').execute();
  },
};
