import type { JsonValue } from '@trellis/kernel/io';
import type { Result } from '@trellis/kernel/result';

/**
 * What starts runs and waits for them (the HTTP trigger, the manual trigger, schedules): the
 * engine, seen from outside. The engine itself (application/engine.ts) runs a run in this
 * process, one commit per step transition (docs/runner.md).
 */

export type TriggerType = 'http' | 'manual' | 'schedule' | 'action';

export type StartRun = {
  readonly projectId: string;
  readonly workflowId: string;
  readonly triggerType: TriggerType;
  /** The trigger's outputs (what `${{ trigger.x }}` reads), already checked against its declaration. */
  readonly triggerOutputs: Readonly<Record<string, JsonValue>>;
  /** The same key for the same workflow never starts a second run (24 h): the first run is answered. */
  readonly idempotencyKey?: string;
  readonly traceId: string;
  /**
   * The new run's id, when the caller chose it (it stored the trigger's files under the run's
   * prefix first). Unused when the idempotency key answers an earlier run.
   */
  readonly runId?: string;
  /** A re-run: the run it re-runs, and (from where it broke) the outputs of the steps that had succeeded, by step. */
  readonly rerun?: { readonly of: string; readonly reuse: Readonly<Record<string, Readonly<Record<string, JsonValue>>>> };
};

export type RunError = {
  readonly code: string;
  readonly message: string;
  /** The step that failed, if one did. */
  readonly step?: string;
  /** An ActionError's HTTP status, when the action chose one (4xx/5xx). */
  readonly httpStatus?: number;
};

export type RunEnd = {
  readonly runId: string;
  readonly status: 'succeeded' | 'failed' | 'canceled';
  readonly results: Readonly<Record<string, JsonValue>> | null;
  readonly error: RunError | null;
};

export type StartedRun = {
  readonly runId: string;
  /** True when an earlier request with the same idempotency key started it. */
  readonly existing: boolean;
  /** Resolves once the run's end is committed (wherever it runs). */
  readonly finished: Promise<RunEnd>;
};

export type StartRefusal =
  | { readonly type: 'NotServing' }
  | { readonly type: 'Overloaded' };

export type SignalRefusal =
  | { readonly type: 'RunNotFound' }
  | { readonly type: 'RunFinished' }
  /** The run's version has no wait step for that signal. */
  | { readonly type: 'UnknownSignal'; readonly signals: readonly string[] }
  /** The wait step has ended already (timed out, skipped, canceled). */
  | { readonly type: 'StepEnded'; readonly step: string; readonly status: string }
  | { readonly type: 'AlreadySignaled'; readonly step: string };

export type Engine = {
  start: (request: StartRun) => Promise<Result<StartedRun, StartRefusal>>;
  /** The end of a run, now if it has ended, else when it does (from this process or another). */
  awaitEnd: (projectId: string, runId: string) => Promise<RunEnd | undefined>;
  /**
   * Sends a signal to a run: kept first (never lost), then the wait step waiting for it ends with
   * `payload` as its outputs (at once, or when the run reaches it).
   */
  signal: (projectId: string, runId: string, name: string, payload: Readonly<Record<string, JsonValue>>) => Promise<Result<{ readonly step: string }, SignalRefusal>>;
  /** Cancels a run: its running calls are aborted, nothing new starts, it ends `canceled`. */
  cancel: (projectId: string, runId: string) => Promise<Result<void, { readonly type: 'RunNotFound' } | { readonly type: 'RunFinished' }>>;
};
