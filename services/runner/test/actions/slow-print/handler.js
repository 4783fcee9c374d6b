import { setTimeout as sleep } from 'node:timers/promises';

export async function handle(inputs, context) {
  console.log(`first ${context.attempt}`);
  await sleep(inputs.ms);
  console.log(`second ${context.attempt}`);
  if (inputs.fail_first && context.attempt === 1) throw new Error('attempt 1 fails');
  return { done: true };
}
