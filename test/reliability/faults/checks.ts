import pg from 'pg';
import { SERVICES } from '../../e2e/harness.js';
import type { Platform } from '../../e2e/platform.js';
import { queueDepths, type QueueDepth } from '../support/shared-servers.js';

// What the faults must not break, read straight from the services' databases (not through the
// proxies the faults cut) and the broker's management API.

export async function select<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Runs made by an HTTP call whose caller was not given their id (a refusal or no answer): a retrying caller would start the work twice. */
export async function unannouncedRuns(runnerDb: string, accepted: readonly string[]): Promise<{ id: string; created_at: Date }[]> {
  return select(runnerDb, "select id, created_at from runs where trigger_type = 'http' and not (id = any($1::uuid[])) order by created_at", [accepted]);
}

/** Ids of the HTTP-triggered runs not finished yet (queued or running). */
export async function unfinishedRuns(runnerDb: string): Promise<string[]> {
  const rows = await select<{ id: string }>(runnerDb, "select id from runs where trigger_type = 'http' and status in ('queued', 'running')");
  return rows.map((row) => row.id);
}

/** When the first run (of any trigger) finished after `since`, if one has. */
export async function firstFinishAfter(runnerDb: string, since: Date): Promise<Date | undefined> {
  const [row] = await select<{ at: Date | null }>(runnerDb, 'select min(finished_at) as at from runs where finished_at > $1', [since]);
  return row?.at ?? undefined;
}

export type RunOutcome = { id: string; status: string; ok: boolean; doubled: boolean; error: unknown };

/**
 * Each run's status, whether its result is its input plus `length`, and whether a step of it has
 * more than one succeeded attempt or more attempts succeeded than steps recorded (doubled).
 */
export async function runOutcomes(runnerDb: string, ids: readonly string[], length: number): Promise<RunOutcome[]> {
  if (ids.length === 0) return [];
  return select<RunOutcome>(runnerDb, `
    select r.id, r.status, r.error,
      coalesce((r.results->>'n')::int = (r.trigger_outputs->>'n')::int + $2, false) as ok,
      exists (select 1 from step_attempts a where a.run_id = r.id and a.status = 'succeeded' group by a.step_id having count(*) > 1) as doubled
    from runs r where r.id = any($1::uuid[])`, [ids, length]);
}

type ByTrigger = { trigger_type: string; count: number }[];

export type Whole = { runs: ByTrigger; unfinished: ByTrigger; doubledSteps: number; failed: ByTrigger; failedAttempts: { code: string; count: number }[] };

/** Over the whole database: runs of each trigger, those not finished or not succeeded, steps succeeded twice, and the failed attempts by error code (what the faults cut). */
export async function wholeDatabase(runnerDb: string): Promise<Whole> {
  const runs = await select<{ trigger_type: string; count: number }>(runnerDb, 'select trigger_type, count(*)::int as count from runs group by trigger_type order by 1');
  const unfinished = await select<{ trigger_type: string; count: number }>(runnerDb,
    "select trigger_type, count(*)::int as count from runs where status in ('queued', 'running') group by trigger_type");
  const failed = await select<{ trigger_type: string; count: number }>(runnerDb,
    "select trigger_type, count(*)::int as count from runs where status <> 'succeeded' and status not in ('queued', 'running') group by trigger_type");
  const [doubled] = await select<{ count: number }>(runnerDb,
    "select count(*)::int as count from (select run_id, step_id from step_attempts where status = 'succeeded' group by run_id, step_id having count(*) > 1) d");
  const failedAttempts = await select<{ code: string; count: number }>(runnerDb,
    "select coalesce(error->>'code', '?') as code, count(*)::int as count from step_attempts where status <> 'succeeded' group by 1 order by 2 desc");
  return { runs, unfinished, failed, doubledSteps: doubled?.count ?? 0, failedAttempts };
}

export type TickReport = { first: string | undefined; last: string | undefined; fired: number; missing: string[]; twice: string[] };

/** The schedule's ticks (`schedule:<ISO tick>` keys of its runs) from the first to the last: each second once. */
export async function scheduleTicks(runnerDb: string, workflowId: string): Promise<TickReport> {
  const rows = await select<{ key: string; count: number }>(runnerDb,
    "select idempotency_key as key, count(*)::int as count from runs where workflow_id = $1 and idempotency_key like 'schedule:%' group by idempotency_key order by 1", [workflowId]);
  const ticks = rows.map((row) => Date.parse(row.key.slice('schedule:'.length)));
  const twice = rows.filter((row) => row.count > 1).map((row) => row.key);
  if (ticks.length === 0) return { first: undefined, last: undefined, fired: 0, missing: [], twice };
  const fired = new Set(ticks);
  const first = Math.min(...ticks);
  const last = Math.max(...ticks);
  const missing: string[] = [];
  for (let tick = first; tick <= last; tick += 1000) if (!fired.has(tick)) missing.push(new Date(tick).toISOString());
  return { first: new Date(first).toISOString(), last: new Date(last).toISOString(), fired: rows.length, missing, twice };
}

/** Each service's outbox rows not published yet. */
export async function stuckOutboxRows(platform: Platform): Promise<Record<string, number>> {
  const entries = await Promise.all(SERVICES.map(async ({ name }) => {
    const [row] = await select<{ count: number }>(platform.databaseUrls[name], 'select count(*)::int as count from outbox where sent_at is null');
    return [name, row?.count ?? 0] as const;
  }));
  return Object.fromEntries(entries);
}

export type QueueReport = { waiting: QueueDepth[]; deadLetters: QueueDepth[]; withoutConsumer: QueueDepth[] };

/**
 * Messages left in the vhost's queues: any waiting (in a work queue or its retry queue), any
 * dead-lettered, and work queues nobody consumes any more (a consumer that did not come back).
 */
export async function queueReport(vhost: string): Promise<QueueReport> {
  const queues = await queueDepths(vhost);
  const isDead = (queue: QueueDepth) => queue.name.endsWith('.dead');
  const isRetry = (queue: QueueDepth) => /\.retry(\.|$)/.test(queue.name);
  return {
    waiting: queues.filter((queue) => !isDead(queue) && queue.messages > 0),
    deadLetters: queues.filter((queue) => isDead(queue) && queue.messages > 0),
    withoutConsumer: queues.filter((queue) => !isDead(queue) && !isRetry(queue) && queue.consumers === 0),
  };
}

export type Leftovers = { queues: QueueReport; outbox: Record<string, number> };

/** A message-handling log line that matters when messages are left: a retry, a dead letter, a delivery given back. */
const TROUBLE = /"message":"(message handler failed; will retry|message could not be handled[^"]*|broker channel failed[^"]*)"|"outcome":"dead_lettered"/;

/** What the services (as running now: a process killed took its output with it) logged of their messages' troubles. */
export function messageTroubles(platform: Platform): { service: string; text: string }[] {
  return SERVICES.flatMap(({ name }) => platform.running[name].output().split('\n')
    .filter((line) => TROUBLE.test(line))
    .map((line) => ({ service: name, text: line.slice(0, 600) })));
}
