import { sql, type Kysely, type Migration } from 'kysely';

/** Issue 19: a source Trellis manages (the standard library), at most one per project; every existing source is a user's. */
export const managedSources: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await db.schema.alterTable('sources').addColumn('managed', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
    await sql`create unique index sources_one_managed on sources (project_id) where managed`.execute(db);
  },
};
