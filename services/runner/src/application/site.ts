import type { IoSpec, JsonValue } from '@trellis/kernel/io';
import type { Result } from '@trellis/kernel/result';

/**
 * Where actions run (the local site, docker, kubernetes): the engine and the deployments see only
 * this port; a router picks the site each reference names.
 */

export const SITE_NAMES = ['local', 'docker', 'kubernetes'] as const;
export type SiteName = (typeof SITE_NAMES)[number];

/** cpu in cores, memory in bytes: the manifest's, a step's override applied. */
export type SiteResources = { readonly cpu?: number; readonly memoryBytes?: number };

/** An action version as a deployment pins it: everything a site needs to run it, no lookup. */
export type ActionVersionRef = {
  readonly projectId: string;
  readonly actionId: string;
  readonly version: string;
  /** SHA-256 (hex) of the artifact: the site checks the bytes it fetches against it. */
  readonly digest: string;
  /** Object key of the artifact in the instance's bucket. */
  readonly artifactObject: string;
  readonly artifactSize: number;
  readonly kind: 'Trigger' | 'Processor' | 'Publisher';
  /** nodejs or python. */
  readonly runtime: string;
  readonly inputs: readonly IoSpec[];
  readonly outputs: readonly IoSpec[];
  /** The manifest's own limit for one execution, if any. */
  readonly timeoutMs?: number;
  /** Where the workflow's deployment runs it (the document's `site`, else the instance's default); absent: local. */
  readonly site?: SiteName;
  /** The image the builder made for that site (docker and kubernetes); absent on the local site. */
  readonly image?: string;
  /** Requests and limits for the site's containers (the local site ignores them). */
  readonly resources?: SiteResources;
};

/**
 * A file or directory value as it crosses the site: the action reads an input from `url` and
 * writes an output to the URL the caller gave for it (both presigned: the action never holds
 * store credentials).
 */
export type FileValue = { readonly url: string; readonly name: string; readonly size: number };

/** Inputs and outputs: JSON values by the declared type; `file`/`directory` values are FileValue objects. */
export type ActionValues = Readonly<Record<string, JsonValue>>;

export type Call = {
  /** Unique per attempt (logs and cancellation use it). */
  readonly executionId: string;
  /** `<run>:<step>`: the same for every attempt of a step, so an action can deduplicate side effects. */
  readonly idempotencyKey: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly inputs: ActionValues;
  /** Where each file/directory output is to be written (presigned PUT URLs). */
  readonly outputUrls: Readonly<Record<string, string>>;
  /** The call is cancelled (gRPC deadline) after this long; the action gets it too. */
  readonly timeoutMs: number;
  /** Secret values among the inputs: masked in the call's live output (the engine masks the logs it keeps). */
  readonly secrets?: readonly string[];
  /** Aborting cancels the call. */
  readonly signal?: AbortSignal;
};

export type CallLogs = { readonly stdout: string; readonly stderr: string; readonly truncated: boolean };

/**
 * Why a call failed. `action_error`: the handler raised an ActionError (its `code`, maybe an HTTP
 * status the caller should see); `timeout`: the deadline passed (the call was cancelled);
 * `runtime_crashed`: the action's process died during the call; `unavailable`: the site could not
 * start or reach the action; `invalid_output`: what the handler returned does not match its
 * declared outputs; `canceled`: the caller aborted.
 */
export type CallFailure = {
  readonly kind: 'action_error' | 'timeout' | 'runtime_crashed' | 'unavailable' | 'invalid_output' | 'canceled';
  readonly code: string;
  readonly message: string;
};

export type CallOutcome =
  | { readonly ok: true; readonly outputs: ActionValues; readonly logs: CallLogs; readonly durationMs: number }
  | { readonly ok: false; readonly failure: CallFailure; readonly logs: CallLogs; readonly durationMs: number };

export type PrepareFailure = { readonly reason: string };

export type SiteStats = {
  /** Processes are per project: one project never shares (or sees) another's. */
  readonly projectId: string;
  readonly actionVersion: string;
  readonly digest: string;
  readonly state: 'starting' | 'ready' | 'idle' | 'stopped' | 'crashed';
  readonly processes: number;
  readonly inFlight: number;
  readonly coldStarts: number;
  readonly lastColdStartMs: number | null;
  readonly restarts: number;
};

export type ActionSite = {
  /** Makes the version runnable (fetch, check, unpack, start, Init); idempotent. A deployment fails with the reason. */
  prepare: (action: ActionVersionRef) => Promise<Result<void, PrepareFailure>>;
  /** Calls the action (starting it again first if it was scaled to zero or crashed). Never throws for the action's own failures. */
  call: (action: ActionVersionRef, call: Call) => Promise<CallOutcome>;
  /** No deployment uses the version any more: its processes may stop once idle. */
  release: (action: ActionVersionRef) => Promise<void>;
  stats: () => readonly SiteStats[];
  stop: () => Promise<void>;
};
