import type { ColumnType, Generated } from 'kysely';
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

export type ProjectsTable = { id: string; name: string; title: string | null; created_by: string; created_at: Date };

export type MembershipsTable = { project_id: string; user_id: string; role: string; created_at: Date };

export type SessionsTable = {
  id: string;
  user_id: string;
  project_id: string | null;
  created_at: Date;
  last_used_at: Date;
  revoked_at: Date | null;
  revoked_reason: string | null;
};

export type RefreshTokensTable = { token_sha256: string; session_id: string; issued_at: Date; expires_at: Date; used_at: Date | null };

export type ApiKeysTable = {
  id: string;
  project_id: string;
  name: string;
  role: string;
  prefix: string;
  secret_sha256: string;
  created_at: Date;
  created_by: string;
  expires_at: Date | null;
  revoked_at: Date | null;
};

export type SigningKeysTable = {
  kid: string;
  algorithm: string;
  // Written as JSON text, read back parsed.
  public_jwk: ColumnType<Record<string, string>, string, string>;
  private_key_sealed: string;
  created_at: Date;
  retired_at: Date | null;
};

export type LoginThrottleTable = { kind: string; value: string; failures: number; locked_until: Date | null; updated_at: Date };

export type AuditEventsTable = {
  id: Generated<number>;
  type: string;
  outcome: string;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  project_id: string | null;
  target_type: string | null;
  target_id: string | null;
  client_ip: string | null;
  trace_id: string;
  details: Generated<unknown>;
  occurred_at: Date;
};

export type Database = MessagingTables & {
  users: UsersTable;
  projects: ProjectsTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  api_keys: ApiKeysTable;
  signing_keys: SigningKeysTable;
  login_throttle: LoginThrottleTable;
  audit_events: AuditEventsTable;
};
