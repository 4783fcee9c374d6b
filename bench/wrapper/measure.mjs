// Latency and closed-loop throughput of one async call, timed with process.hrtime.bigint().
const now = () => process.hrtime.bigint();
const ms = (ns) => Number(ns) / 1e6;

/** The latency in milliseconds of each of `count` calls in a row. */
export async function sampleLatency(call, count) {
  const samples = [];
  for (let i = 0; i < count; i++) {
    const start = now();
    await call();
    samples.push(ms(now() - start));
  }
  return samples;
}

/** p50, p90, p95, p99, mean and max of latency samples, in milliseconds. */
export function summarize(samples) {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  const at = (p) => sorted[Math.min(n - 1, Math.ceil(p * n) - 1)];
  const mean = sorted.reduce((sum, x) => sum + x, 0) / n;
  return { p50: at(0.5), p90: at(0.9), p95: at(0.95), p99: at(0.99), mean, max: sorted[n - 1], calls: n };
}

/** How many calls `concurrency` callers make in `seconds`, each calling again as soon as it is answered. */
export async function countCalls(call, concurrency, seconds) {
  const start = now();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let calls = 0;
  const caller = async () => {
    while (now() < end) {
      await call();
      calls++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  return { calls, seconds: ms(now() - start) / 1000 };
}
