import { sql, type Kysely, type Migration } from 'kysely';
import { createApiKeysTable } from '@trellis/platform/auth/api-keys';

/** The replicated API keys (issue 3) and the tombstones of deleted projects. */
export const apiKeys: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await createApiKeysTable(db);
    await db.schema
      .createTable('deleted_projects')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('deleted_at', 'timestamptz', (c) => c.notNull())
      .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
  },
};
