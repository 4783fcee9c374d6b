import type { JsonValue } from '@trellis/kernel/io';
import type { DeployedVersion } from '../domain/deployment.js';
import type { PersistedStep, RunError, RunStatus, StepError, StepStatus } from '../domain/run.js';
import type { TriggerType } from './engine-port.js';
import type { CallLogs } from './site.js';

/**
 * What the engine writes and reads (runs, step_runs, step_attempts), seen from the engine. The
 * store is bound to this runner process: every write is owned by it and fenced by the run's
 * `owner_epoch`. A write that finds the run owned by another process (or no longer running)
 * changes nothing and says `fenced`.
 */

/** A step's row as it is after a transition (every column, written whole). */
export type StepRow = {
  readonly step: string;
  readonly status: StepStatus;
  readonly attempt: number;
  readonly inputs: Readonly<Record<string, JsonValue>> | null;
  readonly outputs: Readonly<Record<string, JsonValue>> | null;
  readonly error: StepError | null;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  /** When a `retrying` step's next attempt starts. */
  readonly retryAt: Date | null;
};

/** An attempt's row as it is after a transition (inserted, or updated when it ends). */
export type AttemptRow = {
  readonly step: string;
  readonly attempt: number;
  readonly status: 'running' | 'succeeded' | 'failed' | 'canceled';
  readonly error: StepError | null;
  readonly logs: CallLogs | null;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
};

export type RunEndRow = {
  readonly status: 'succeeded' | 'failed' | 'canceled';
  readonly results: Readonly<Record<string, JsonValue>> | null;
  readonly error: RunError | null;
  readonly at: Date;
};

/** One step transition of one run: one commit. */
export type TransitionWrite = {
  readonly runId: string;
  readonly epoch: number;
  /** Steps that must still be running with this attempt (the outcome being recorded). */
  readonly expect: readonly { readonly step: string; readonly attempt: number }[];
  readonly steps: readonly StepRow[];
  readonly attempts: readonly AttemptRow[];
  readonly end?: RunEndRow;
};

export type NewRun = {
  readonly id: string;
  readonly projectId: string;
  readonly workflowId: string;
  readonly version: number;
  readonly triggerType: TriggerType;
  readonly triggerOutputs: Readonly<Record<string, JsonValue>>;
  readonly idempotencyKey?: string;
  /** The run this one re-runs. */
  readonly rerunOf?: string;
  readonly at: Date;
  readonly steps: readonly StepRow[];
  readonly attempts: readonly AttemptRow[];
  readonly end?: RunEndRow;
};

export type CreateOutcome =
  | { readonly type: 'created'; readonly epoch: number }
  | { readonly type: 'existing'; readonly runId: string }
  /** The workflow does not serve `version` (any more). */
  | { readonly type: 'not_serving' };

/** A run this process just took over (its epoch bumped), with what was persisted of it. */
export type ClaimedRun = {
  readonly id: string;
  readonly projectId: string;
  readonly workflowId: string;
  readonly version: number;
  readonly epoch: number;
  readonly status: RunStatus;
  readonly triggerOutputs: Readonly<Record<string, JsonValue>>;
  readonly startedAt?: Date;
  readonly steps: readonly PersistedStep[];
  /** The inputs of its failed steps, by step (what their compensations read as `failure.inputs`). */
  readonly failedInputs: Readonly<Record<string, Readonly<Record<string, JsonValue>>>>;
};

export type RunSignal = { readonly name: string; readonly payload: Readonly<Record<string, JsonValue>> };

export type StoredEnd = {
  readonly status: 'succeeded' | 'failed' | 'canceled';
  readonly results: Readonly<Record<string, JsonValue>> | null;
  readonly error: RunError | null;
};

export type RunStore = {
  /** The version new runs of the workflow start on, or undefined when it serves none. */
  servingVersion: (workflowId: string) => Promise<{ readonly projectId: string; readonly version: number } | undefined>;
  version: (workflowId: string, version: number) => Promise<DeployedVersion | undefined>;
  /** The run, its steps and its first attempts in one commit, owned by this process; only while the workflow serves `version`. */
  create: (run: NewRun) => Promise<CreateOutcome>;
  /** One transition, group-committed with others; resolves once durable. */
  commit: (write: TransitionWrite) => Promise<'applied' | 'fenced'>;
  /** Gives up ownership (owner null) so that any process takes the run over. */
  release: (runId: string, epoch: number) => Promise<void>;
  /** Takes over up to `limit` unfinished runs whose owner stopped or whose lease expired (never this process's). */
  claimOrphans: (limit: number) => Promise<ClaimedRun[]>;
  /** undefined: no such run in the project; null: not ended yet. */
  endOf: (projectId: string, runId: string) => Promise<StoredEnd | null | undefined>;
  /** Cancels a run this process does not hold in memory, in one commit (its owner's next write is fenced). */
  cancelStored: (projectId: string, runId: string, at: Date) => Promise<'canceled' | 'not_found' | 'finished'>;
  /** Keeps a signal of an unfinished run, once per name (`duplicate`: that signal came already). */
  recordSignal: (signal: RunSignal & { readonly projectId: string; readonly runId: string }) => Promise<'recorded' | 'duplicate' | 'not_found' | 'finished'>;
  /** The workflow version a run of the project runs on (undefined: no such run). */
  placeOf: (projectId: string, runId: string) => Promise<{ readonly workflowId: string; readonly version: number } | undefined>;
  /** The signals a run has received. */
  signalsOf: (runId: string) => Promise<RunSignal[]>;
  /** The workflow's runs still queued or running. */
  unfinished: (workflowId: string) => Promise<Array<{ readonly id: string; readonly projectId: string }>>;
};
