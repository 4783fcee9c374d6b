/**
 * Group commit (DESIGN 8.3): every item waiting is written by one `write` call as soon as the
 * previous call returns; there is no timer, so a lone item is written at once and a busy
 * process writes many per round trip. Each caller awaits its own result: nothing is answered
 * before the write that holds it returned. Items of the same key (one run) keep their order:
 * with `merge`, those waiting together become one item of the batch (a foreach's items of one run
 * end together; without it they were written one round trip each); without it, a later one waits
 * for the next batch.
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
  /** One item doing what `earlier` then `later` do; every caller of the merged items gets its result. */
  merge?: (earlier: T, later: T) => T;
}): GroupCommitter<T, R> {
  let queue: Waiting<T, R>[] = [];
  let writing: Promise<void> | undefined;

  type Entry = { item: T; waiting: Waiting<T, R>[] };

  function take(): Entry[] {
    const batch: Entry[] = [];
    const byKey = new Map<string, Entry>();
    const heldBack = new Set<string>();
    const left: Waiting<T, R>[] = [];
    for (const waiting of queue) {
      const key = options.keyOf(waiting.item);
      const entry = byKey.get(key);
      if (!heldBack.has(key) && entry && options.merge) {
        entry.item = options.merge(entry.item, waiting.item);
        entry.waiting.push(waiting);
      } else if (!heldBack.has(key) && !entry && batch.length < options.maxBatch) {
        const added = { item: waiting.item, waiting: [waiting] };
        batch.push(added);
        byKey.set(key, added);
      } else {
        // Once a key is held back, its later items are too (order per key).
        heldBack.add(key);
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
        const results = await options.write(batch.map((entry) => entry.item));
        if (results.length !== batch.length) throw new Error(`the write gave ${results.length} results for ${batch.length} items`);
        batch.forEach((entry, i) => {
          for (const waiting of entry.waiting) waiting.resolve(results[i] as R);
        });
      } catch (error) {
        for (const entry of batch) for (const waiting of entry.waiting) waiting.reject(error);
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
