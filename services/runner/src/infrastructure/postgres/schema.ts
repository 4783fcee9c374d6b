import type { ColumnType } from 'kysely';
import type { MessagingTables } from '@trellis/platform/postgres/messaging-tables';
import type { TenancyTables } from '@trellis/platform/tenancy/postgres';
import type { SiteName } from '../../domain/deployment.js';

/**
 * bigint, written from a bigint's text. The platform reads int8 as a JS number, exact only below
 * 2^53: code that compares revisions selects `revision::text` instead.
 */
type BigintColumn = ColumnType<number, string, string>;

export type ProjectVariablesTable = {
  project_id: string;
  name: string;
  /** jsonb: read as the parsed value, written as JSON text. */
  value: ColumnType<unknown, string, string>;
  revision: BigintColumn;
  updated_at: Date;
};

export type ProjectSecretsTable = {
  project_id: string;
  name: string;
  sealed: Buffer;
  key_id: string;
  revision: BigintColumn;
  updated_at: Date;
};

export type ProjectValueTombstonesTable = {
  project_id: string;
  kind: 'variable' | 'secret';
  name: string;
  revision: BigintColumn;
  deleted_at: Date;
};

export type DeployedVersionsTable = {
  workflow_id: string;
  version: number;
  project_id: string;
  name: string;
  checksum: string;
  /** json (not jsonb: studio's canonical text, byte for byte): read parsed, written as JSON text. */
  document: ColumnType<unknown, string, string>;
  /** jsonb: the pinned actions as received. */
  actions: ColumnType<unknown, string, string>;
  files: ColumnType<unknown, string, string>;
  received_at: Date;
  /** local, docker or kubernetes; 'local' for versions received before sites. */
  site: ColumnType<SiteName, SiteName | undefined, SiteName>;
  /** The document's `on_finish.webhook` (an http(s) URL), set by a trigger as the version is recorded. */
  webhook_url: ColumnType<string | null, never, never>;
};

export type DeploymentsTable = {
  workflow_id: string;
  project_id: string;
  name: string;
  version: number;
  deployment_id: string;
  status: 'deploying' | 'active' | 'failed' | 'undeploying' | 'undeployed';
  mode: 'graceful' | 'immediate' | null;
  reason: string;
  serving_version: number | null;
  trigger_type: 'http' | 'manual' | 'schedule' | 'action' | null;
  http_path: string | null;
  trace_id: string;
  updated_at: Date;
};

export type RunnerProcessesTable = { id: string; host: string; pid: number; started_at: Date; heartbeat_at: Date; stopped_at: Date | null };

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';

export type RunsTable = {
  id: string;
  project_id: string;
  workflow_id: string;
  version: number;
  status: RunStatus;
  trigger_type: 'http' | 'manual' | 'schedule' | 'action';
  /** json: read parsed, written as JSON text. */
  trigger_outputs: ColumnType<unknown, string, string>;
  results: ColumnType<unknown, string | null, string | null>;
  /** jsonb `{code, message, step?, status?}`. */
  error: ColumnType<unknown, string | null, string | null>;
  owner: string | null;
  owner_epoch: BigintColumn;
  idempotency_key: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  /** The run this one re-runs. */
  rerun_of: ColumnType<string | null, string | null | undefined, string | null>;
};

export type StepRunsTable = {
  run_id: string;
  step_id: string;
  status: 'waiting' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'skipped' | 'canceled';
  attempt: number;
  inputs: ColumnType<unknown, string | null, string | null>;
  outputs: ColumnType<unknown, string | null, string | null>;
  error: ColumnType<unknown, string | null, string | null>;
  started_at: Date | null;
  finished_at: Date | null;
  /** When a `retrying` step's next attempt starts. */
  retry_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
};

export type StepAttemptsTable = {
  run_id: string;
  step_id: string;
  attempt: number;
  status: 'running' | 'succeeded' | 'failed' | 'canceled';
  error: ColumnType<unknown, string | null, string | null>;
  stdout: string;
  stderr: string;
  logs_truncated: boolean;
  started_at: Date;
  finished_at: Date | null;
};

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One per finished run whose version has a webhook, made by a trigger as the run ends (migration 0011). */
export type WebhookDeliveriesTable = {
  id: ColumnType<string, string | undefined, never>;
  run_id: string;
  project_id: string;
  workflow_id: string;
  url: string;
  status: WebhookDeliveryStatus;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Date;
  created_at: Date;
  finished_at: Date | null;
  /** Where the current round of retries began (creation, or the last redelivery). */
  round_started_at: Date;
  round_first_attempt: ColumnType<number, number | undefined, number>;
};

/** One per attempt to deliver; `duration_ms` null while it is in flight. */
export type WebhookAttemptsTable = {
  delivery_id: string;
  attempt: number;
  started_at: Date;
  duration_ms: number | null;
  status_code: number | null;
  error: string | null;
};

/** A workflow's webhook signing secret, sealed to the runner's own key. */
export type WebhookSecretsTable = { workflow_id: string; project_id: string; sealed: Buffer; key_id: string; updated_at: Date };

/** A project's own settings; `retention_days` null: the runner's default. */
/** A signal a run received (a wait step's outputs). */
export type RunSignalsTable = { run_id: string; name: string; payload: ColumnType<unknown, string, string>; received_at: ColumnType<Date, Date | undefined, never> };

export type RunnerProjectSettingsTable = { project_id: string; retention_days: number | null; updated_at: Date };

/** A serving schedule trigger and its next tick (migration 0010). */
export type SchedulesTable = {
  workflow_id: string;
  project_id: string;
  version: number;
  cron: string;
  timezone: string;
  missed: 'skip' | 'catch_up';
  catch_up_limit: number;
  /** jsonb: read parsed, written as JSON text. */
  inputs: ColumnType<unknown, string, string>;
  next_tick_at: Date;
  last_tick_at: Date | null;
};

export type Database = MessagingTables & TenancyTables & {
  project_variables: ProjectVariablesTable;
  project_secrets: ProjectSecretsTable;
  project_value_tombstones: ProjectValueTombstonesTable;
  deployed_versions: DeployedVersionsTable;
  deployments: DeploymentsTable;
  runner_processes: RunnerProcessesTable;
  runs: RunsTable;
  step_runs: StepRunsTable;
  step_attempts: StepAttemptsTable;
  run_signals: RunSignalsTable;
  runner_project_settings: RunnerProjectSettingsTable;
  schedules: SchedulesTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  webhook_secrets: WebhookSecretsTable;
};
