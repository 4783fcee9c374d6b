import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Every runner process keeps a few reads that each run repeats (what an HTTP path serves, the
 * version a workflow serves, the project's variables) in memory until they change (docs/runner.md,
 * "Read cache"). Any statement that changes `deployments`, `projects` or `project_variables`
 * sends a notice on `trellis_runner_reads` (delivered at commit) that empties them. Triggers, so no
 * writer can forget it; none of these tables is written on the path of a run.
 */
export const readNotices: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await sql`
      create function runner_reads_changed() returns trigger language plpgsql as $$
      begin
        perform pg_notify('trellis_runner_reads', tg_table_name);
        return null;
      end $$`.execute(db);
    for (const table of ['deployments', 'projects', 'project_variables']) {
      await sql`
        create trigger ${sql.id(`${table}_reads_changed`)} after insert or update or delete or truncate on ${sql.table(table)}
        for each statement execute function runner_reads_changed()`.execute(db);
    }
  },
};
