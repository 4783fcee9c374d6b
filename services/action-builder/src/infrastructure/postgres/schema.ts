import type { ColumnType } from 'kysely';
import type { MessagingTables } from '@trellis/platform/postgres/messaging-tables';
import type { TenancyTables } from '@trellis/platform/tenancy/postgres';

export type BuildsTable = {
  id: string;
  project_id: string;
  source_id: string;
  source_name: string;
  commit: string;
  folder: string;
  action_id: string;
  version: string;
  source_object: string;
  source_sha256: string;
  requested_by: string;
  image_sites: string[];
  trace_id: string;
  requested_at: Date;
  state: string;
  attempt: number;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  cancel_requested_by: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  failure_reason: string | null;
  digest: string | null;
  artifact_object: string | null;
  /** bigint, read as a number (the platform's parser). */
  artifact_size: number | null;
  log_object: string | null;
  log_stored_lines: ColumnType<number, number | undefined, number>;
};

export type BuildLogLinesTable = { build_id: string; line_no: number; text: string };

export type Database = MessagingTables & TenancyTables & { builds: BuildsTable; build_log_lines: BuildLogLinesTable };
