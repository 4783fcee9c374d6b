// Latency and closed-loop throughput of one async call, timed with process.hrtime.bigint().
const now = () => process.hrtime.bigint();
const ms = (ns) => Number(ns) / 1e6;

/** Latency of `count` calls in a row: p50, p90, p99, mean and max in milliseconds. */
export async function latency(call, count) {
  const samples = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const start = now();
    await call();
    samples[i] = ms(now() - start);
  }
  samples.sort();
  const at = (p) => samples[Math.min(count - 1, Math.ceil(p * count) - 1)];
  const mean = samples.reduce((sum, x) => sum + x, 0) / count;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), mean, max: samples[count - 1], calls: count };
}

/** Calls per second with `concurrency` callers each calling again as soon as it is answered, for `seconds`. */
export async function throughput(call, concurrency, seconds) {
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
  return { callsPerSecond: calls / (ms(now() - start) / 1000), calls, concurrency };
}
