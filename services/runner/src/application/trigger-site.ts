import type { ActionValues, ActionVersionRef } from './site.js';

/*
 * Where a Trigger action listens (the local site now): its process started and kept, its
 * `Listen` stream open, each event handed over in order. Seen by the trigger listeners only.
 */

/** A new run the trigger emitted: the wrapper's id for it (unique within one listen) and its outputs, decoded by their declared types. */
export type TriggerEvent = { readonly runId: string; readonly outputs: ActionValues };

/**
 * What became of one event, told back to the trigger (AckEvent): `accepted` once its run is
 * committed, `refused` (its outputs do not fit) with the reason; `unanswered` when the listener
 * gave up on it (stopping, the workflow no longer serves): the trigger's emit then fails when its
 * stream ends, so a broker trigger redelivers it.
 */
export type EventOutcome = { readonly kind: 'accepted' } | { readonly kind: 'refused'; readonly reason: string } | { readonly kind: 'unanswered' };

/** How a listen ended: `stopped` when the caller aborted it; otherwise the trigger stopped (its stream ended, failed, or its process died). */
export type ListenEnd = { readonly kind: 'stopped' } | { readonly kind: 'ended'; readonly message: string };

export type ListenHandlers = {
  /** The stream is open on this process. */
  onListening: (pid: number | undefined) => void;
  /**
   * One event, in the stream's order. The site reads further only while fewer than its bound of
   * these are pending (backpressure: the stream waits rather than memory grows).
   */
  onEvent: (event: TriggerEvent) => Promise<EventOutcome>;
  /** The trigger reported a failed run (or sent something it cannot decode); it goes on. */
  onTriggerError: (error: { readonly code: string; readonly message: string }) => void;
};

export type ListenRequest = {
  readonly listenId: string;
  readonly inputs: ActionValues;
  /** The outputs of the newest event of this trigger accepted before (its run's trigger outputs), or null: a polling trigger resumes from it. */
  readonly lastEvent: ActionValues | null;
};

export type TriggerSite = {
  /**
   * Starts the action's process if none runs (and keeps it from being scaled to zero while it
   * listens), opens Listen with `inputs` (acknowledging: each event's outcome is told back to
   * the trigger once `onEvent` settles), hands over events until the stream ends or `signal`
   * aborts; then waits for the events handed over to settle.
   */
  listen: (action: ActionVersionRef, request: ListenRequest, handlers: ListenHandlers, signal: AbortSignal) => Promise<ListenEnd>;
};
