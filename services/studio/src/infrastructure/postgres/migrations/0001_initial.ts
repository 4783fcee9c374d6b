import type { Kysely, Migration } from 'kysely';
import { createMessagingTables } from '@trellis/platform/postgres/messaging-tables';
import { createKnownProjectsTable } from '@trellis/platform/tenancy/postgres';

export const initial: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await createMessagingTables(db);
    await createKnownProjectsTable(db);
  },
};
