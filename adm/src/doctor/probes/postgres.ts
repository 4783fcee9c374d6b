import pg from 'pg';
import type { OpenBuild } from '../builds.js';
import type { OutboxBacklog } from '../outbox.js';
import type { OrphanRun } from '../runs.js';

/** Full for now (53300: every connection slot taken) or starting (57P03): worth a second try before saying so. */
const PASSING = new Set(['53300', '57P03']);

/**
 * A short-lived connection as one service (its own role, its own database), never waiting long.
 * A server that is full for a moment gets two more tries; one that stays full is the finding.
 */
export async function connectAsService(url: string, timeoutMs = 5_000): Promise<{ client: pg.Client; ms: number }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await connectOnce(url, timeoutMs);
    } catch (error) {
      if (attempt >= 3 || !PASSING.has((error as { code?: string }).code ?? '')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

async function connectOnce(url: string, timeoutMs: number): Promise<{ client: pg.Client; ms: number }> {
  const started = Date.now();
  const client = new pg.Client({ connectionString: url, application_name: 'trellis-adm doctor', connectionTimeoutMillis: timeoutMs, query_timeout: 15_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return { client, ms: Date.now() - started };
}

/** The outbox rows the relay has not published (platform postgres/outbox.ts). */
export async function readOutboxBacklog(client: pg.Client): Promise<OutboxBacklog> {
  const { rows } = await client.query<{ unsent: number; oldest: Date | null; max_attempts: number; last_error: string | null }>(`
    select count(*)::int as unsent, min(created_at) as oldest, coalesce(max(attempts), 0)::int as max_attempts,
      (select last_error from outbox where sent_at is null and last_error is not null order by seq desc limit 1) as last_error
    from outbox where sent_at is null`);
  const row = rows[0];
  return { unsent: row?.unsent ?? 0, oldestCreatedAt: row?.oldest ?? null, maxAttempts: row?.max_attempts ?? 0, lastError: row?.last_error ?? null };
}

/**
 * The runner's unfinished runs that no live process holds: the condition under which a runner
 * claims orphans (runner run-store.ts claimOrphans), with when each one's lease ended.
 */
export async function readOrphanRuns(client: pg.Client, leaseMs: number): Promise<OrphanRun[]> {
  const { rows } = await client.query<{ id: string; status: 'queued' | 'running'; created_at: Date; started_at: Date | null; lease_ended_at: Date }>(
    `select r.id, r.status, r.created_at, r.started_at,
       case when r.owner is null or p.id is null then coalesce(r.started_at, r.created_at)
            when p.stopped_at is not null then p.stopped_at
            else p.heartbeat_at + make_interval(secs => $1) end as lease_ended_at
     from runs r left join runner_processes p on p.id = r.owner
     where r.status in ('queued', 'running')
       and (r.owner is null or p.id is null or p.stopped_at is not null or p.heartbeat_at < now() - make_interval(secs => $1))
     order by lease_ended_at
     limit 1000`,
    [leaseMs / 1000],
  );
  return rows.map((r) => ({ id: r.id, status: r.status, createdAt: r.created_at, startedAt: r.started_at, leaseEndedAt: r.lease_ended_at }));
}

/** The action builder's queued and running builds, and when any build last started. */
export async function readOpenBuilds(client: pg.Client): Promise<{ open: OpenBuild[]; lastStartedAt: Date | null }> {
  const open = await client.query<{ id: string; action_id: string; version: string; state: 'queued' | 'running'; requested_at: Date; started_at: Date | null; lease_expires_at: Date | null }>(
    `select id, action_id, version, state, requested_at, started_at, lease_expires_at from builds
     where state in ('queued', 'running') order by requested_at limit 1000`,
  );
  const last = await client.query<{ last: Date | null }>('select max(started_at) as last from builds');
  return {
    open: open.rows.map((r) => ({ id: r.id, actionId: r.action_id, version: r.version, state: r.state, requestedAt: r.requested_at, startedAt: r.started_at, leaseExpiresAt: r.lease_expires_at })),
    lastStartedAt: last.rows[0]?.last ?? null,
  };
}
