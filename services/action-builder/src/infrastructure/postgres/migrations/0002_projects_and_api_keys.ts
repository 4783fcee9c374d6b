import type { Kysely, Migration } from 'kysely';
import { createApiKeysTable } from '@trellis/platform/auth/api-keys';
import { createDeletedProjectsTable, createKnownProjectsTable } from '@trellis/platform/tenancy/postgres';

/** The builder learns of projects now (issue 3): the projects it was told about, the tombstones of deleted ones, the replicated API keys. */
export const projectsAndApiKeys: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await createKnownProjectsTable(db);
    await createDeletedProjectsTable(db);
    await createApiKeysTable(db);
  },
};
