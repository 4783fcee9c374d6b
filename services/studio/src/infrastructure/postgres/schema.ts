import type { ColumnType, Generated } from 'kysely';
import type { MessagingTables } from '@trellis/platform/postgres/messaging-tables';
import type { TenancyTables } from '@trellis/platform/tenancy/postgres';

type Json<T> = ColumnType<T, string, string>;

export type LibraryActionsTable = {
  project_id: string;
  action_id: string;
  version: string;
  kind: string;
  name: string;
  description: string;
  runtime: string;
  format: string;
  categories: string[];
  inputs: Json<unknown>;
  outputs: Json<unknown>;
  resources: Json<unknown>;
  digest: string;
  artifact_object: string;
  /** bigint: node-postgres reads it as a string. */
  artifact_size: ColumnType<string, number, number>;
  /** site -> image reference; `{}` for versions built before images (and without them). */
  images: Json<unknown>;
  logo: Buffer | null;
  logo_media_type: string | null;
  source_id: string;
  commit: string;
  folder: string;
  build_id: string;
  built_at: Date;
  recorded_at: Generated<Date>;
};

/** bigint: node-postgres reads it as a string. */
type Revision = ColumnType<string, number, number>;

export type ProjectVariablesTable = {
  project_id: string;
  name: string;
  value: Json<unknown>;
  revision: Revision;
  updated_at: Date;
  updated_by: string;
};

export type ProjectSecretsTable = {
  project_id: string;
  name: string;
  /** The value sealed with studio's TRELLIS_SECRET_KEY (context: the project and the name); never the value. */
  sealed: string;
  revision: Revision;
  updated_at: Date;
  updated_by: string;
};

export type WorkflowsTable = {
  id: string;
  project_id: string;
  name: string;
  /** `json`: the canonical document's text as written (node-postgres parses it, keys in order). */
  document: Json<unknown>;
  http_path: string | null;
  trigger_type: string | null;
  latest_version: number;
  deployment_id: string | null;
  deployment_status: string | null;
  deployment_version: number | null;
  serving_version: number | null;
  deployment_reason: string | null;
  undeploy_mode: string | null;
  deployment_requested_by: string | null;
  deployment_updated_at: Date | null;
  created_at: Date;
  created_by: string;
  updated_at: Date;
  updated_by: string;
};

export type WorkflowVersionsTable = {
  workflow_id: string;
  version: number;
  project_id: string;
  document: Json<unknown>;
  checksum: string;
  pins: Json<unknown>;
  created_at: Date;
  created_by: string;
};

export type WorkflowVersionUsesTable = {
  project_id: string;
  workflow_id: string;
  version: number;
  kind: 'action' | 'variable' | 'secret' | 'file';
  name: string;
};

export type FilesTable = {
  id: string;
  project_id: string;
  name: string;
  content_type: string;
  /** bigint, read as a number (the platform's type parser for int8). */
  size: number;
  sha256: string;
  /** The content's key in the object store. */
  object: string;
  created_at: Date;
  created_by: string;
};

export type Database = MessagingTables & TenancyTables & {
  library_actions: LibraryActionsTable;
  project_variables: ProjectVariablesTable;
  project_secrets: ProjectSecretsTable;
  workflows: WorkflowsTable;
  workflow_versions: WorkflowVersionsTable;
  workflow_version_uses: WorkflowVersionUsesTable;
  files: FilesTable;
};
