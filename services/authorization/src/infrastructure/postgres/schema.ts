import type { MessagingTables } from '@trellis/platform/postgres/messaging-tables';

export type UsersTable = {
  id: string;
  username: string;
  display_name: string;
  email: string | null;
  password_hash: string;
  is_admin: boolean;
  disabled: boolean;
  created_at: Date;
};

export type ProjectsTable = { id: string; name: string; created_by: string; created_at: Date };

export type MembershipsTable = { project_id: string; user_id: string; role: string; created_at: Date };

export type Database = MessagingTables & { users: UsersTable; projects: ProjectsTable; memberships: MembershipsTable };
