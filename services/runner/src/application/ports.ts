import type { UnitOfWork as KernelUnitOfWork } from '@trellis/kernel/ports';
import type { ActionKey, Deployment, DeployedVersion, RunnerEvent } from '../domain/deployment.js';
import type { Change, Held, JsonValue, ValueKind } from '../domain/project-value.js';
import type { Schedule } from '../domain/schedule.js';

/** What the runner knows of a project (tenancy keeps the rows; this is the question use cases ask). */
export type ProjectStatus = 'known' | 'unknown' | 'deleted';

export type Projects = {
  /** Takes the project's lock until the transaction ends (its events are handled one at a time), then tells its status. */
  statusForUpdate: (projectId: string) => Promise<ProjectStatus>;
};

/** The project values as changes write them. */
export type ProjectValueRepository = {
  /** The last change applied to the name (a value or a tombstone), or undefined when none was. */
  held: (projectId: string, kind: ValueKind, name: string) => Promise<Held | undefined>;
  /** Makes `change` what the runner holds for its name: the value, or a tombstone with its revision. */
  apply: (change: Change) => Promise<void>;
};

/** What each workflow serves, and the versions studio sent (see domain/deployment.ts). */
export type DeploymentRepository = {
  /** The workflow's deployment, locked until the transaction ends (its requests and its preparation's end are handled one at a time). */
  findForUpdate: (workflowId: string) => Promise<Deployment | undefined>;
  /** Inserts or replaces the workflow's deployment. */
  save: (deployment: Deployment) => Promise<void>;
  /** Keeps a version as first received; a redelivery of the same (workflow, version) changes nothing. */
  recordVersion: (version: DeployedVersion) => Promise<void>;
  findVersion: (workflowId: string, version: number) => Promise<DeployedVersion | undefined>;
  /** The other workflow of the project that serves `httpPath` now, if any. */
  servingPath: (projectId: string, httpPath: string, exceptWorkflowId: string) => Promise<{ workflowId: string; name: string } | undefined>;
  /** The action versions (`id@version`) of the project that a serving version or a version being deployed uses. */
  actionsInUse: (projectId: string) => Promise<Set<ActionKey>>;
  /** Every deployment left `deploying` (what the preparation job works through, after a restart too). */
  deploying: () => Promise<Array<Pick<Deployment, 'workflowId' | 'deploymentId'>>>;
  /** Every deployment left `undeploying` (its runs in flight still to be waited for or canceled, after a restart too). */
  undeploying: () => Promise<Array<Pick<Deployment, 'workflowId' | 'deploymentId'>>>;
};

/** The schedule of each workflow whose serving version has a schedule trigger (domain/schedule.ts), kept with its deployment. */
export type ScheduleRepository = {
  find: (workflowId: string) => Promise<Schedule | undefined>;
  /** Inserts or replaces the workflow's schedule; the schedulers look again at commit. */
  save: (schedule: Schedule) => Promise<void>;
  remove: (workflowId: string) => Promise<void>;
};

/** Events commit with the state change; the trace id of the request that caused them travels with them. */
export type Outbox = { append: (events: readonly RunnerEvent[], traceId: string) => Promise<void> };

export type Transaction = { projects: Projects; values: ProjectValueRepository; deployments: DeploymentRepository; schedules: ScheduleRepository; outbox: Outbox };

export type UnitOfWork = KernelUnitOfWork<Transaction>;

/**
 * A project's variables and secrets as runs read them: what run-time input resolution uses.
 * A secret comes out opened; one that cannot be opened (sealed for another runner key, or
 * altered) throws, saying why.
 */
export type ProjectValues = {
  variables: (projectId: string) => Promise<Record<string, JsonValue>>;
  /** Undefined when the project has no secret of that name. */
  secret: (projectId: string, name: string) => Promise<string | undefined>;
};
