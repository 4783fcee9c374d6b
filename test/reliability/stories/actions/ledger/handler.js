import { appendFileSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

// The side effect a retried step must not double: one "applied" line per idempotency key.
export async function handle({ ledger, first_ms }, context) {
  const write = (what) => appendFileSync(ledger, `${JSON.stringify({ what, key: context.idempotencyKey, attempt: context.attempt, pid: process.pid, at: Date.now() })}\n`);
  write('start');
  if (context.attempt === 1) await sleep(first_ms);
  const lines = readFileSync(ledger, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  if (!lines.some((line) => line.what === 'applied' && line.key === context.idempotencyKey)) write('applied');
  write('end');
  return { attempt: context.attempt };
}
