import type { ActionValues, ActionVersionRef } from './site.js';

/*
 * Where a Trigger action listens (the local site now): its process started and kept, its
 * `Listen` stream open, each event handed over in order. Seen by the trigger listeners only.
 */

/** A new run the trigger emitted: the wrapper's id for it (unique within one listen) and its outputs, decoded by their declared types. */
export type TriggerEvent = { readonly runId: string; readonly outputs: ActionValues };

/** How a listen ended: `stopped` when the caller aborted it; otherwise the trigger stopped (its stream ended, failed, or its process died). */
export type ListenEnd = { readonly kind: 'stopped' } | { readonly kind: 'ended'; readonly message: string };

export type ListenHandlers = {
  /** The stream is open on this process. */
  onListening: (pid: number | undefined) => void;
  /**
   * One event, in the stream's order. The site reads further only while fewer than its bound of
   * these are pending (backpressure: the stream waits rather than memory grows).
   */
  onEvent: (event: TriggerEvent) => Promise<void>;
  /** The trigger reported a failed run (or sent something it cannot decode); it goes on. */
  onTriggerError: (error: { readonly code: string; readonly message: string }) => void;
};

export type TriggerSite = {
  /**
   * Starts the action's process if none runs (and keeps it from being scaled to zero while it
   * listens), opens Listen with `inputs`, hands over events until the stream ends or `signal`
   * aborts; then waits for the events handed over to settle.
   */
  listen: (
    action: ActionVersionRef, request: { readonly listenId: string; readonly inputs: ActionValues }, handlers: ListenHandlers, signal: AbortSignal,
  ) => Promise<ListenEnd>;
};
