import type { EmitOutcome } from './emit-acks.js';
import type { Failure } from './failure.js';
import type { LogCapture } from './log-capture.js';

/** What a handler answered: its raw return value, or why it failed. */
export type HandlerOutcome = { readonly ok: true; readonly outputs: unknown } | { readonly ok: false; readonly error: Failure };

/** One call of `handle(inputs, context)`. */
export type Invocation = {
  readonly executionId: string;
  /** The caller's key, the same for every attempt of one step (`<run>:<step>`); empty when none. */
  readonly idempotencyKey: string;
  /** 1 for the first attempt; 0 when the caller did not say. */
  readonly attempt: number;
  readonly inputs: Readonly<Record<string, unknown>>;
  /** A per-execution temporary directory's path: made on first use, removed afterwards. */
  readonly workdir: string;
  /** Called when the runtime makes the directory, so the executor knows to remove it. */
  readonly onWorkdirUsed?: () => void;
  /** Fires when the execution is abandoned (timeout) or the wrapper stops. */
  readonly signal: AbortSignal;
  readonly logs: LogCapture;
};

/**
 * One activation of a trigger's `run`; `emit` is called once per new run and settles when the
 * caller accepted or refused it (at once for a caller that does not acknowledge), `emitError` for
 * a run the trigger reports as failed (Ryax's `create_run(..., status=ERROR)`): the trigger goes
 * on. `lastEvent`: the outputs of the newest event the caller accepted before, or null.
 */
export type ListenInvocation = Invocation & {
  readonly emit: (outputs: unknown) => Promise<EmitOutcome>;
  readonly emitError: (error: Failure) => void;
  readonly lastEvent: Readonly<Record<string, unknown>> | null;
};

/** Hosts a handler in one language. */
export type HandlerRuntime = {
  /** The most executions it runs at once (Python: 1 per child), or undefined for no limit of its own. */
  readonly maxConcurrency: number | undefined;
  invoke(invocation: Invocation): Promise<HandlerOutcome>;
  /** Resolves when the trigger's `run` returns (ok) or fails. */
  listen(invocation: ListenInvocation): Promise<HandlerOutcome>;
  close(): Promise<void>;
};
