import type { Kysely, Migration } from 'kysely';
import { createApiKeysTable } from '@trellis/platform/auth/api-keys';
import { createDeletedProjectsTable } from '@trellis/platform/tenancy/postgres';

/** The replicated API keys (issue 3) and the tombstones of deleted projects. */
export const apiKeys: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await createApiKeysTable(db);
    await createDeletedProjectsTable(db);
  },
};
