import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ActionError } from '@trellis/action-wrapper/action-error';

function deepInUserCode() {
  throw new TypeError('the widget is broken');
}

export async function handle(inputs, context) {
  switch (inputs.mode) {
    case 'ok':
      return { result: 'ok' };
    case 'echo': {
      // Every way of printing, interleaved with awaits: each line must land in this execution's logs.
      console.log(`log ${inputs.text}`);
      await sleep(Math.floor(Math.random() * 20));
      process.stdout.write(`write ${inputs.text}\n`);
      setTimeout(() => console.info(`timer ${inputs.text}`), 1);
      await sleep(Math.floor(Math.random() * 20) + 5);
      console.error(`err ${inputs.text}`);
      context.log('ctx', inputs.text, context.executionId);
      return { result: inputs.text };
    }
    case 'action-error':
      throw new ActionError('no such customer', 'not_found');
    case 'throw':
      deepInUserCode();
      return { result: 'unreachable' };
    case 'hang':
      context.signal.addEventListener('abort', () => writeFileSync(inputs.text, 'aborted'));
      await new Promise(() => {});
      return { result: 'unreachable' };
    case 'log':
      process.stdout.write('x'.repeat(inputs.size));
      console.error('e'.repeat(10));
      return { result: 'logged' };
    case 'bad-output':
      return { result: 42 };
    case 'missing':
      return {};
    case 'context':
      return { result: JSON.stringify({ idempotencyKey: context.idempotencyKey, attempt: context.attempt, executionId: context.executionId }) };
    case 'tail':
      // A line, a pause of `size` ms, another line: a follower sees the first before the end.
      console.log('first');
      console.error('warn');
      await sleep(inputs.size);
      process.stdout.write('second\n');
      return { result: 'tailed' };
    case 'sleep':
      await sleep(inputs.size);
      return { result: `slept ${inputs.size}` };
    default:
      throw new Error(`unknown mode ${inputs.mode}`);
  }
}
