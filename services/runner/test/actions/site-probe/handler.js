import { setTimeout as sleep } from 'node:timers/promises';

let running = 0;

export async function handle({ mode, ms }, context) {
  switch (mode) {
    case 'context':
      return { result: { idempotencyKey: context.idempotencyKey, attempt: context.attempt, executionId: context.executionId } };
    case 'sleep': {
      // How many calls this process runs at once, seen from inside.
      running += 1;
      const seen = running;
      await sleep(ms ?? 0);
      running -= 1;
      return { result: { running: seen } };
    }
    case 'pid':
      return { result: { pid: process.pid } };
    case 'env':
      // What the process was given: the instance's settings for actions, nothing of the runner's.
      return { result: { names: Object.keys(process.env).sort(), allowPrivateNetwork: process.env.TRELLIS_ALLOW_PRIVATE_NETWORK ?? null } };
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}
