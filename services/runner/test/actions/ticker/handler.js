// Emits `count` events { n, pid } (forever when count is 0), then keeps the stream open until the runner stops listening.
export async function run(context, inputs) {
  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  for (let n = 1; !context.signal.aborted && (inputs.count === 0 || n <= inputs.count); n++) {
    context.emit({ n, pid: process.pid });
    await wait(inputs.interval_ms);
  }
  await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
}
