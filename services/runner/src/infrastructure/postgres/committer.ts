/**
 * Group commit (DESIGN 8.3): every item waiting is written by one `write` call as soon as the
 * previous call returns; there is no timer, so a lone item is written at once and a busy
 * process writes many per round trip. Each caller awaits its own result: nothing is answered
 * before the write that holds it returned. Items of the same key (one run) never share a batch
 * and keep their order: a later one waits for the next batch.
 */
export type GroupCommitter<T, R> = {
  commit: (item: T) => Promise<R>;
  /** Resolves once nothing is waiting or being written. */
  drain: () => Promise<void>;
};

type Waiting<T, R> = { item: T; resolve: (result: R) => void; reject: (error: unknown) => void };

export function makeGroupCommitter<T, R>(options: {
  /** Writes a batch in one transaction; one result per item, in order. Throws: every item of the batch fails. */
  write: (batch: readonly T[]) => Promise<readonly R[]>;
  keyOf: (item: T) => string;
  maxBatch: number;
}): GroupCommitter<T, R> {
  let queue: Waiting<T, R>[] = [];
  let writing: Promise<void> | undefined;

  function take(): Waiting<T, R>[] {
    const batch: Waiting<T, R>[] = [];
    const keys = new Set<string>();
    const left: Waiting<T, R>[] = [];
    for (const waiting of queue) {
      const key = options.keyOf(waiting.item);
      if (batch.length < options.maxBatch && !keys.has(key)) {
        batch.push(waiting);
        keys.add(key);
      } else {
        // Once a key is held back, its later items are too (order per key).
        keys.add(key);
        left.push(waiting);
      }
    }
    queue = left;
    return batch;
  }

  async function run(): Promise<void> {
    while (queue.length > 0) {
      const batch = take();
      try {
        const results = await options.write(batch.map((waiting) => waiting.item));
        if (results.length !== batch.length) throw new Error(`the write gave ${results.length} results for ${batch.length} items`);
        batch.forEach((waiting, i) => waiting.resolve(results[i] as R));
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    writing = undefined;
  }

  return {
    commit: (item) => new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      writing ??= run();
    }),
    drain: async () => {
      while (writing) await writing;
    },
  };
}
