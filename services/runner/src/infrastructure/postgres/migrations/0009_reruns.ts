import type { Kysely, Migration } from 'kysely';

/** A re-run names the run it re-runs (no foreign key: retention may delete the first before the second). */
export const reruns: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await db.schema.alterTable('runs').addColumn('rerun_of', 'uuid').execute();
  },
};
