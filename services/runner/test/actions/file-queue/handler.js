// A broker-style trigger over a folder: each file queue/<n>.json is a pending message. It emits
// the oldest, and removes it (acks it) only once emit resolved; a rejected emit leaves it there
// (nack: it is delivered again). Every start and settlement goes to journal.jsonl.
import { appendFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

export async function run(context, inputs) {
  const queue = path.join(inputs.dir, 'queue');
  const note = (line) => appendFileSync(path.join(inputs.dir, 'journal.jsonl'), `${JSON.stringify({ pid: process.pid, ...line })}\n`);
  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  note({ start: context.lastEvent });
  while (!context.signal.aborted) {
    const next = readdirSync(queue).map((name) => Number.parseInt(name, 10)).filter(Number.isInteger).sort((a, b) => a - b)[0];
    if (next === undefined) {
      await wait(50);
      continue;
    }
    note({ emit: next });
    try {
      await context.emit({ n: next });
      rmSync(path.join(queue, `${next}.json`), { force: true });
      note({ acked: next });
    } catch (error) {
      note({ nacked: next, code: error.code });
      await wait(50);
    }
  }
}
