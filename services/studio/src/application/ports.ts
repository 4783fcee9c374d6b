import type { UnitOfWork as KernelUnitOfWork } from '@trellis/kernel/ports';
import type { LibraryAction } from '../domain/library-action.js';
import type { JsonValue, ProjectValueEvent, Secret, Variable } from '../domain/project-values.js';
import type { WorkflowEvent } from '../domain/workflow/workflow.js';
import type { FileRepository } from './file-ports.js';
import type { WorkflowRepository, WorkflowVersionRepository } from './workflow-ports.js';

/** What studio knows of a project (tenancy keeps the rows; this is the question use cases ask). */
export type ProjectStatus = 'known' | 'unknown' | 'deleted';

export type Projects = {
  statusOf: (projectId: string) => Promise<ProjectStatus>;
};

export type LibraryRepository = {
  /** The version, locked until the transaction ends (two deliveries of one build cannot both insert). */
  findForUpdate: (projectId: string, actionId: string, version: string) => Promise<LibraryAction | undefined>;
  save: (action: LibraryAction) => Promise<void>;
  /** False when there was no such version. */
  delete: (projectId: string, actionId: string, version: string) => Promise<boolean>;
  /** Every version of these actions, newest build first within each action (what workflows are validated against). */
  versionsOf: (projectId: string, actionIds: readonly string[]) => Promise<LibraryAction[]>;
  /** These versions (those the library has), locked against deletion until the transaction ends: what a deploy pins. */
  findForShare: (projectId: string, versions: ReadonlyArray<{ actionId: string; version: string }>) => Promise<LibraryAction[]>;
};

export type VariableRepository = {
  find: (projectId: string, name: string) => Promise<Variable | undefined>;
  /** Inserts or replaces the variable of that name. */
  save: (variable: Variable) => Promise<void>;
  /** False when there was no such variable. */
  delete: (projectId: string, name: string) => Promise<boolean>;
  /** Every variable of the project, by name (what the workflow validator checks references against). */
  all: (projectId: string) => Promise<Array<{ name: string; value: JsonValue }>>;
};

export type SecretRepository = {
  find: (projectId: string, name: string) => Promise<Secret | undefined>;
  /** Inserts or replaces the secret of that name; `sealed` is its value sealed by the Vault (never the value). */
  save: (secret: Secret, sealed: string) => Promise<void>;
  /** False when there was no such secret. */
  delete: (projectId: string, name: string) => Promise<boolean>;
  /** The names of the project's secrets, sorted (their values never leave the repository). */
  names: (projectId: string) => Promise<string[]>;
};

export type Revisions = {
  /**
   * The revision of a change of `name` in the project: greater than any taken before. Changes of
   * one name are serialized from here until the transaction ends, so they commit in the order of
   * their revisions (a consumer that keeps the highest keeps the last committed).
   */
  next: (projectId: string, name: string) => Promise<number>;
  /**
   * Serializes with every change of `name` in the project until the transaction ends, taking no
   * revision: a deploy that freezes a version using the name, against its deletion.
   */
  lock: (projectId: string, name: string) => Promise<void>;
};

/** Everything studio emits (the workflows' events join this union). */
export type StudioEvent = ProjectValueEvent | WorkflowEvent;

/** Events commit with the state change; the trace id of the request that caused them travels with them. */
export type Outbox = { append: (events: readonly StudioEvent[], traceId: string) => Promise<void> };

export type Transaction = {
  projects: Projects;
  library: LibraryRepository;
  variables: VariableRepository;
  secrets: SecretRepository;
  revisions: Revisions;
  outbox: Outbox;
  workflows: WorkflowRepository;
  workflowVersions: WorkflowVersionRepository;
  files: FileRepository;
};

export type UnitOfWork = KernelUnitOfWork<Transaction>;

/** Seals what must stay secret at rest with studio's own key; `context` (the row's identity) binds a value to its row. */
export type Vault = {
  seal: (plaintext: string, context: string) => string;
  /** Throws when the value does not open (another key, another row). */
  open: (sealed: string, context: string) => string;
};

/** Seals a secret's value so that only the runner can open it, bound to its project and name. */
export type RunnerSealer = {
  seal: (plaintext: string, binding: { projectId: string; name: string }) => Promise<{ sealedValue: Uint8Array; keyId: string }>;
};
