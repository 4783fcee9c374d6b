/*
 * What became of a trigger's events (docs/actions.md, "The Trigger contract"). A caller that
 * sets ListenRequest.acknowledges answers each event with AckEvent once its run is durably
 * recorded (or refused); the trigger's emit settles only then, so a trigger reading from a broker
 * acknowledges its broker after the run exists. An answer that does not come within the bound
 * settles the emit as `emit_timeout` (the broker redelivers); a listen that ends first settles
 * its waiting emits as `emit_cancelled`.
 */

/** How an emit settled: its run accepted, or why not (the Node runtime rejects with an Error of this code). */
export type EmitOutcome = { readonly ok: true } | { readonly ok: false; readonly error: { readonly code: EmitErrorCode; readonly message: string } };

export const EmitErrorCode = {
  /** The caller (or the wrapper: outputs that do not fit) refused the event. */
  refused: 'emit_refused',
  /** No answer within the bound: the event may or may not have a run. */
  timeout: 'emit_timeout',
  /** The listen ended (the caller went away or stopped the trigger) before the answer. */
  cancelled: 'emit_cancelled',
} as const;
export type EmitErrorCode = (typeof EmitErrorCode)[keyof typeof EmitErrorCode];

/** The default bound on an answer: long enough for a runner under load, short enough for a broker's redelivery. */
export const defaultEmitAckTimeoutMs = 5 * 60_000;

export const accepted: EmitOutcome = { ok: true };
export const emitFailure = (code: EmitErrorCode, message: string): EmitOutcome => ({ ok: false, error: { code, message } });

/** The answers one listen waits for, by event id. */
export type AckBook = {
  /** Waits for the event's answer (registered before the event is sent, so an early answer is not missed). */
  wait: (eventId: string) => Promise<EmitOutcome>;
  /** Settles the event's emit; false when nothing waits for it. */
  settle: (eventId: string, outcome: EmitOutcome) => boolean;
  /** Settles every waiting emit as cancelled (the listen ended). */
  close: () => void;
};

export function makeAckBook(timeoutMs: number): AckBook {
  const waiting = new Map<string, { resolve: (outcome: EmitOutcome) => void; timer: NodeJS.Timeout }>();
  let closed = false;
  const settle = (eventId: string, outcome: EmitOutcome) => {
    const entry = waiting.get(eventId);
    if (entry === undefined) return false;
    waiting.delete(eventId);
    clearTimeout(entry.timer);
    entry.resolve(outcome);
    return true;
  };
  return {
    wait: (eventId) => {
      if (closed) return Promise.resolve(emitFailure(EmitErrorCode.cancelled, 'the trigger stopped listening before the run was accepted'));
      return new Promise((resolve) => {
        const timer = setTimeout(
          () => settle(eventId, emitFailure(EmitErrorCode.timeout, `the run was not acknowledged within ${timeoutMs} ms; it may or may not exist`)),
          timeoutMs,
        );
        waiting.set(eventId, { resolve, timer });
      });
    },
    settle,
    close: () => {
      closed = true;
      for (const eventId of [...waiting.keys()]) {
        settle(eventId, emitFailure(EmitErrorCode.cancelled, 'the trigger stopped listening before the run was accepted'));
      }
    },
  };
}
