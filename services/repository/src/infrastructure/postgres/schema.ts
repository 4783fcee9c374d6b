import type { Generated } from 'kysely';
import type { ApiKeysTable } from '@trellis/platform/auth/api-keys';
import type { MessagingTables } from '@trellis/platform/postgres/messaging-tables';

export type ProjectsTable = { id: string; name: string; created_at: Date; recorded_at: Generated<Date> };

/** Tombstones: the ids of projects deleted here, so a late announcement cannot bring one back. No project data. */
export type DeletedProjectsTable = { id: string; deleted_at: Date; recorded_at: Generated<Date> };

export type Database = MessagingTables & {
  projects: ProjectsTable;
  deleted_projects: DeletedProjectsTable;
  /** Replicated from authorization's ApiKeyIssued / ApiKeyRevoked; read by the authenticator. */
  api_keys: ApiKeysTable;
};
