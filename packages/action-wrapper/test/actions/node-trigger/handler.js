import { setTimeout as sleep } from 'node:timers/promises';

export async function run(context, inputs) {
  for (let n = 0; n < inputs.count; n++) {
    console.log(`tick ${n}`);
    context.emit({ n, label: `${inputs.prefix}-${n}` });
    await sleep(inputs.everyMs);
  }
  if (inputs.prefix === 'fail') throw new Error('the source went away');
  await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
}
