import type { Uses } from '../domain/workflow/pins.js';
import type { Deployment, Workflow, WorkflowVersion } from '../domain/workflow/workflow.js';

export type WorkflowRepository = {
  /** False when the project already has a workflow of that name. */
  insert: (workflow: Workflow) => Promise<boolean>;
  find: (projectId: string, id: string) => Promise<Workflow | undefined>;
  /** Locked until the transaction ends. */
  findForUpdate: (projectId: string, id: string) => Promise<Workflow | undefined>;
  findByNameForUpdate: (projectId: string, name: string) => Promise<Workflow | undefined>;
  /** False when another workflow of the project has its name (nothing is written then). */
  update: (workflow: Workflow) => Promise<boolean>;
  /** Deletes the workflow with its versions. */
  delete: (projectId: string, id: string) => Promise<void>;
  /** The HTTP trigger paths of the project's drafts, but `exceptId`'s: path -> workflow name. */
  httpPaths: (projectId: string, exceptId: string | undefined) => Promise<ReadonlyMap<string, string>>;
};

/** Something a frozen version uses: an action version (`id@version`), a variable or a secret by name, an uploaded file by id. */
export type VersionUse = { readonly kind: 'action' | 'variable' | 'secret' | 'file'; readonly name: string };

export type VersionUser = { readonly workflowName: string; readonly version: number; readonly deployment: Deployment | null };

export type WorkflowVersionRepository = {
  /** Inserts a frozen version and what it uses. */
  insert: (version: WorkflowVersion, uses: Uses) => Promise<void>;
  find: (projectId: string, workflowId: string, version: number) => Promise<WorkflowVersion | undefined>;
  latest: (projectId: string, workflowId: string) => Promise<WorkflowVersion | undefined>;
  /** Every version of the project's workflows that uses `use`, with its workflow's deployment. */
  usersOf: (projectId: string, use: VersionUse) => Promise<VersionUser[]>;
};

/** SHA-256 of a text, lowercase hex (the domain has no crypto). */
export type Checksum = (text: string) => string;
