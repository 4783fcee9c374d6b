// A trigger runs for as long as its deployment lives, calling context.emit once per new run.
export async function run(context, inputs) {
  for (let tick = 1; !context.signal?.aborted; tick++) {
    await new Promise((resolve) => setTimeout(resolve, inputs.interval * 1000));
    await context.emit({ tick, at: new Date().toISOString() });
  }
}
