import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Signals of runs (issue 12): `POST /runner/runs/{id}/signals/{name}` keeps the signal here
 * before answering, so a signal is never lost: the process that holds the run applies it at
 * once, a process taking the run over applies it when it resumes, and a signal sent before its
 * wait step is reached ends that step as soon as it starts. One signal per name per run.
 */
export const signals: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await db.schema.createTable('run_signals')
      .addColumn('run_id', 'uuid', (column) => column.notNull().references('runs.id').onDelete('cascade'))
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('payload', 'jsonb', (column) => column.notNull())
      .addColumn('received_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('run_signals_pkey', ['run_id', 'name'])
      .execute();
    // Wakes the process that holds the run (it may not be the one that took the request).
    await sql`create function run_signals_notify() returns trigger language plpgsql as $$
      begin perform pg_notify('trellis_runner_signals', ''); return null; end $$`.execute(db);
    await sql`create trigger run_signals_notify after insert on run_signals for each statement execute function run_signals_notify()`.execute(db);
  },
};
