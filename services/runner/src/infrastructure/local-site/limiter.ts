/** At most `limit` holders at a time; the rest wait in arrival order (FIFO). */
export type Limiter = {
  /** Resolves with a release function once a slot is free; aborting the signal leaves the queue. */
  acquire: (signal?: AbortSignal) => Promise<() => void>;
  readonly running: number;
  readonly queued: number;
};

export function makeLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`the limit must be a positive integer, got ${limit}`);
  let running = 0;
  const waiting: { grant: () => void }[] = [];
  const releaser = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = waiting.shift();
      if (next) next.grant();
      else running--;
    };
  };
  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason as Error);
      if (running < limit) {
        running++;
        return Promise.resolve(releaser());
      }
      return new Promise((resolve, reject) => {
        const waiter = {
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve(releaser());
          },
        };
        const onAbort = () => {
          const index = waiting.indexOf(waiter);
          if (index >= 0) waiting.splice(index, 1);
          reject(signal?.reason as Error);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(waiter);
      });
    },
    get running() {
      return running;
    },
    get queued() {
      return waiting.length;
    },
  };
}
