import { backoffMs, sleep } from './time.js';

export type WokenLoop = {
  /** There may be work: run the step as soon as the current one ends. */
  wake: () => void;
  /** Ends the loop after the current step; resolves when it has ended. */
  stop: () => Promise<void>;
};

/**
 * The loop of every background worker (outbox relay, scan and build workers): runs `step` when
 * woken (a NOTIFY, a local change) and otherwise only every `pollMs`, so an idle process does
 * almost nothing. A step that returns true found more work than it took and runs again at once;
 * a step that throws is retried with growing delay (`onError` says so) until one succeeds.
 * The first step runs at once (work may be waiting from before the start).
 */
export function startWokenLoop(options: {
  pollMs: number;
  step: () => Promise<boolean | void>;
  onError: (error: unknown, retryInMs: number) => void;
  backoff: { baseMs: number; maxMs: number };
}): WokenLoop {
  const stopping = new AbortController();
  let pending = true;
  let wakeUp: (() => void) | undefined;

  const wake = (): void => {
    pending = true;
    wakeUp?.();
  };

  const waitForWork = async (): Promise<void> => {
    if (pending) return;
    const woken = new AbortController();
    wakeUp = () => woken.abort();
    await sleep(options.pollMs, AbortSignal.any([woken.signal, stopping.signal]));
    wakeUp = undefined;
  };

  const loop = (async () => {
    for (let failures = 0; !stopping.signal.aborted; ) {
      await waitForWork();
      if (stopping.signal.aborted) break;
      pending = false;
      try {
        if ((await options.step()) === true) pending = true;
        failures = 0;
      } catch (error) {
        pending = true;
        const delay = backoffMs(failures++, options.backoff.baseMs, options.backoff.maxMs);
        options.onError(error, delay);
        await sleep(delay, stopping.signal);
      }
    }
  })();

  return {
    wake,
    stop: async () => {
      stopping.abort();
      await loop;
    },
  };
}
