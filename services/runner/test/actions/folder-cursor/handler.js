// A polling trigger as poll-http and watch-s3 are: the files items/<n> are never removed, so what
// it has seen is its cursor, the n of its last accepted event, resumed from context.lastEvent.
// Every start and emit goes to journal.jsonl.
import { appendFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export async function run(context, inputs) {
  const note = (line) => appendFileSync(path.join(inputs.dir, 'journal.jsonl'), `${JSON.stringify({ label: inputs.label, ...line })}\n`);
  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  let cursor = context.lastEvent?.n ?? 0;
  note({ start: context.lastEvent });
  while (!context.signal.aborted) {
    const next = readdirSync(path.join(inputs.dir, 'items')).map(Number).filter((n) => Number.isInteger(n) && n > cursor).sort((a, b) => a - b)[0];
    if (next === undefined) {
      await wait(50);
      continue;
    }
    try {
      await context.emit({ n: next });
      cursor = next;
      note({ emitted: next });
    } catch (error) {
      note({ refused: next, code: error.code });
      await wait(50);
    }
  }
}
