/**
 * Polls `probe` every `everyMs` until its value passes `accept`, and resolves with that value. A
 * probe that throws (a server restarting) counts as not yet. After `timeoutMs` it throws with
 * the last value or error, unless `orLast` is set: then it resolves with the last value read
 * (undefined when every probe threw), for a report that must show what was left.
 */
export async function until<T>(probe: () => Promise<T>, accept: (value: T) => boolean, options: { timeoutMs: number; everyMs?: number }): Promise<T> {
  const outcome = await poll(probe, accept, options);
  if (outcome.accepted) return outcome.value as T;
  throw new Error(`condition not met within ${options.timeoutMs} ms; last: ${describe(outcome.last)}`);
}

/** As `until`, but after `timeoutMs` resolves with the last value read instead of throwing. */
export async function untilOrLast<T>(probe: () => Promise<T>, accept: (value: T) => boolean, options: { timeoutMs: number; everyMs?: number }): Promise<T | undefined> {
  return (await poll(probe, accept, options)).value;
}

/**
 * As `untilOrLast`, but the value must pass `accept` on every read for `steadyMs` in a row: for a
 * figure read from statistics refreshed now and then (the broker's management API, every 5 s),
 * one clean read between two refreshes proves nothing. Resolves with the last value read.
 */
export async function untilSteady<T>(probe: () => Promise<T>, accept: (value: T) => boolean, options: { timeoutMs: number; steadyMs: number; everyMs?: number }): Promise<T | undefined> {
  const deadline = Date.now() + options.timeoutMs;
  let goodSince: number | undefined;
  let last: T | undefined;
  for (;;) {
    let good = false;
    try {
      last = await probe();
      good = accept(last);
    } catch {
      // a probe that throws is not good: the steady stretch starts again
    }
    goodSince = good ? goodSince ?? Date.now() : undefined;
    if (goodSince !== undefined && Date.now() - goodSince >= options.steadyMs) return last;
    if (Date.now() > deadline) return last;
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 250));
  }
}

type Outcome<T> = { accepted: boolean; value: T | undefined; last: unknown };

async function poll<T>(probe: () => Promise<T>, accept: (value: T) => boolean, { timeoutMs, everyMs = 250 }: { timeoutMs: number; everyMs?: number }): Promise<Outcome<T>> {
  const deadline = Date.now() + timeoutMs;
  let value: T | undefined;
  let last: unknown;
  for (;;) {
    try {
      value = await probe();
      last = value;
      if (accept(value)) return { accepted: true, value, last };
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) return { accepted: false, value, last };
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  return JSON.stringify(value)?.slice(0, 2000) ?? String(value);
}
