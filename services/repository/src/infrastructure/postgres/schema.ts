import type { ColumnType, Generated } from 'kysely';
import type { MessagingTables } from '@trellis/platform/postgres/messaging-tables';
import type { TenancyTables } from '@trellis/platform/tenancy/postgres';
import type { ActionDescription, RemovedAction } from '../../domain/scan-result.js';

/** jsonb: written as JSON text, read back parsed. */
type Json<T> = ColumnType<T, string, string>;
/** bigint: node-postgres reads it as a string. */
type BigInt = ColumnType<string, number, number>;

export type SourcesTable = {
  id: string;
  project_id: string;
  name: string;
  url: string;
  branch: string | null;
  username: string | null;
  /** The password or token, sealed with the service's secret key (the row id as context). */
  sealed_password: string | null;
  /** Kept by Trellis (the standard library): users cannot change or delete it. */
  managed: Generated<boolean>;
  created_by: string;
  created_at: Date;
  updated_at: Date;
};

export type ScansTable = {
  id: string;
  project_id: string;
  source_id: string;
  status: string;
  requested_by: string;
  requested_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  attempt: Generated<number>;
  /** The worker running it and until when its lease holds (renewed while it runs). */
  lease_owner: string | null;
  lease_expires_at: Date | null;
  commit_sha: string | null;
  branch: string | null;
  failure_code: string | null;
  failure_message: string | null;
  removed_actions: Json<RemovedAction[]>;
};

export type ScanActionsTable = {
  scan_id: string;
  action_id: string;
  version: string;
  folder: string;
  description: Json<ActionDescription>;
  source_sha256: string;
  source_size: BigInt;
  source_object: string;
  change: string;
};

export type ScanProblemsTable = {
  scan_id: string;
  seq: number;
  folder: string;
  file: string;
  line_number: number;
  column_number: number;
  code: string;
  message: string;
};

export type BuildsTable = {
  id: string;
  project_id: string;
  source_id: string;
  scan_id: string;
  action_id: string;
  version: string;
  folder: string;
  commit_sha: string;
  source_object: string;
  source_sha256: string;
  status: string;
  attempt: number;
  digest: string | null;
  artifact_object: string | null;
  reason: string | null;
  log_tail: string | null;
  requested_by: string;
  requested_at: Date;
  updated_at: Date;
};

export type RepositoryTables = {
  sources: SourcesTable;
  scans: ScansTable;
  scan_actions: ScanActionsTable;
  scan_problems: ScanProblemsTable;
  builds: BuildsTable;
};

export type Database = MessagingTables & TenancyTables & RepositoryTables;
