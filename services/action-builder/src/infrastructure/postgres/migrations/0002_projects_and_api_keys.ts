import { sql, type Kysely, type Migration } from 'kysely';
import { createApiKeysTable } from '@trellis/platform/auth/api-keys';

/**
 * The builder learns of projects now (issue 3): the projects it has been told about (the same
 * table as the other services'), the tombstones of deleted ones, and the replicated API keys.
 */
export const projectsAndApiKeys: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('projects')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema
      .createTable('deleted_projects')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('deleted_at', 'timestamptz', (c) => c.notNull())
      .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await createApiKeysTable(db);
  },
};
