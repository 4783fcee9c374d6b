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
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}
