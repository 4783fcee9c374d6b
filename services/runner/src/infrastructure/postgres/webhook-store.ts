import { sql, type Kysely } from 'kysely';
import type { JsonValue } from '@trellis/kernel/io';
import type { NextStep } from '../../domain/webhook-delivery.js';
import { WEBHOOKS_CHANNEL } from './migrations/0011_webhooks.js';
import type { Database, WebhookDeliveryStatus } from './schema.js';

/** A delivery taken by this process for one attempt (`attempt` is its number). */
export type ClaimedDelivery = {
  id: string; runId: string; projectId: string; workflowId: string; url: string;
  attempt: number; attemptsInRound: number; roundStartedAt: Date; startedAt: Date;
};

/** What a delivery's body is made of: the run as it ended and its version's name. */
export type EndedRun = {
  id: string; workflowId: string; workflowName: string; version: number; status: string;
  results: Record<string, JsonValue> | null; error: JsonValue; startedAt: Date | null; finishedAt: Date | null;
};

export type AttemptResult = { durationMs: number; statusCode: number | null; error: string | null };

export type DeliveryView = {
  url: string; status: WebhookDeliveryStatus;
  attempts: { attempt: number; started_at: Date; duration_ms: number | null; status_code: number | null; error: string | null }[];
};

/** The run's delivery with every attempt (null: the run's version has no webhook). */
export async function deliveryOf(db: Kysely<Database>, runId: string): Promise<DeliveryView | null> {
  const delivery = await db.selectFrom('webhook_deliveries').select(['id', 'url', 'status']).where('run_id', '=', runId).executeTakeFirst();
  if (!delivery) return null;
  const attempts = await db.selectFrom('webhook_attempts').select(['attempt', 'started_at', 'duration_ms', 'status_code', 'error'])
    .where('delivery_id', '=', delivery.id).orderBy('attempt').execute();
  return { url: delivery.url, status: delivery.status, attempts };
}

const INTERRUPTED = 'interrupted: the runner stopped before an answer';

/** The webhook deliveries, their attempts and the workflows' sealed secrets. */
export function makeWebhookStore(db: Kysely<Database>) {
  return {
    /**
     * Takes up to `limit` due deliveries for one attempt each: `for update skip locked`, so two
     * processes never take the same one; the attempt row is written and the delivery pushed
     * `claimMs` ahead before any request is sent, so a process that dies mid-attempt leaves it to
     * be taken again after that (its attempt then reads as interrupted).
     */
    claimDue: async (limit: number, claimMs: number): Promise<ClaimedDelivery[]> => db.transaction().execute(async (trx) => {
      const due = await trx.selectFrom('webhook_deliveries')
        .select(['id', 'run_id', 'project_id', 'workflow_id', 'url', 'attempts', 'round_started_at', 'round_first_attempt'])
        .where('status', '=', 'pending').where('next_attempt_at', '<=', sql<Date>`now()`)
        .orderBy('next_attempt_at').limit(limit).forUpdate().skipLocked().execute();
      if (due.length === 0) return [];
      const ids = due.map((row) => row.id);
      const { now } = await sql<{ now: Date }>`select now() as now`.execute(trx).then((result) => result.rows[0] ?? { now: new Date() });
      await trx.updateTable('webhook_attempts').set({ error: INTERRUPTED })
        .where('delivery_id', 'in', ids).where('duration_ms', 'is', null).where('error', 'is', null).execute();
      await trx.updateTable('webhook_deliveries').set({ attempts: sql`attempts + 1`, next_attempt_at: new Date(now.getTime() + claimMs) })
        .where('id', 'in', ids).execute();
      await trx.insertInto('webhook_attempts').values(due.map((row) => ({ delivery_id: row.id, attempt: row.attempts + 1, started_at: now }))).execute();
      return due.map((row) => ({
        id: row.id, runId: row.run_id, projectId: row.project_id, workflowId: row.workflow_id, url: row.url, attempt: row.attempts + 1,
        attemptsInRound: row.attempts + 2 - row.round_first_attempt, roundStartedAt: row.round_started_at, startedAt: now,
      }));
    }),

    /** When the next pending delivery is due (undefined: none pending). */
    nextDueAt: async (): Promise<Date | undefined> => {
      const row = await db.selectFrom('webhook_deliveries').select((eb) => eb.fn.min('next_attempt_at').as('at')).where('status', '=', 'pending').executeTakeFirst();
      return row?.at ? new Date(row.at) : undefined;
    },

    endedRun: async (runId: string): Promise<EndedRun | undefined> => {
      const row = await db.selectFrom('runs as r')
        .innerJoin('deployed_versions as v', (join) => join.onRef('v.workflow_id', '=', 'r.workflow_id').onRef('v.version', '=', 'r.version'))
        .select(['r.id', 'r.workflow_id', 'v.name', 'r.version', 'r.status', 'r.results', 'r.error', 'r.started_at', 'r.finished_at'])
        .where('r.id', '=', runId).executeTakeFirst();
      return row ? {
        id: row.id, workflowId: row.workflow_id, workflowName: row.name, version: row.version, status: row.status,
        results: row.results as Record<string, JsonValue> | null, error: (row.error ?? null) as JsonValue, startedAt: row.started_at, finishedAt: row.finished_at,
      } : undefined;
    },

    /** Records the attempt's end and what follows; written only while the delivery is still at this attempt (a late writer changes nothing). */
    recordAttempt: async (delivery: Pick<ClaimedDelivery, 'id' | 'attempt'>, result: AttemptResult, next: NextStep): Promise<void> => {
      await db.transaction().execute(async (trx) => {
        const current = await trx.selectFrom('webhook_deliveries').select('attempts').where('id', '=', delivery.id).forUpdate().executeTakeFirst();
        if (current?.attempts !== delivery.attempt) return;
        await trx.updateTable('webhook_attempts').set({ duration_ms: result.durationMs, status_code: result.statusCode, error: result.error })
          .where('delivery_id', '=', delivery.id).where('attempt', '=', delivery.attempt).execute();
        await trx.updateTable('webhook_deliveries').set(next.status === 'pending'
          ? { status: 'pending', next_attempt_at: next.nextAttemptAt }
          : { status: next.status, finished_at: sql<Date>`now()` }).where('id', '=', delivery.id).execute();
      });
    },

    deliveryOf: async (runId: string) => deliveryOf(db, runId),

    /** A failed delivery of the project's run starts a new round of attempts at once. */
    redeliver: async (projectId: string, runId: string): Promise<'pending' | 'not_failed' | 'none'> => {
      const updated = await db.updateTable('webhook_deliveries')
        .set({ status: 'pending', next_attempt_at: sql<Date>`now()`, round_started_at: sql<Date>`now()`, round_first_attempt: sql<number>`attempts + 1`, finished_at: null })
        .where('project_id', '=', projectId).where('run_id', '=', runId).where('status', '=', 'failed').returning('id').executeTakeFirst();
      if (updated) {
        await sql`select pg_notify(${WEBHOOKS_CHANNEL}, '')`.execute(db);
        return 'pending';
      }
      const exists = await db.selectFrom('webhook_deliveries').select('id').where('project_id', '=', projectId).where('run_id', '=', runId).executeTakeFirst();
      return exists ? 'not_failed' : 'none';
    },

    sealedSecret: async (workflowId: string) =>
      db.selectFrom('webhook_secrets').select(['project_id', 'sealed', 'key_id']).where('workflow_id', '=', workflowId).executeTakeFirst(),
    /** Keeps the first secret written for a workflow (two processes making one at once agree on the winner's). */
    addSecret: async (row: { workflowId: string; projectId: string; sealed: Uint8Array; keyId: string }): Promise<void> => {
      await db.insertInto('webhook_secrets').values({ workflow_id: row.workflowId, project_id: row.projectId, sealed: Buffer.from(row.sealed), key_id: row.keyId, updated_at: new Date() })
        .onConflict((c) => c.column('workflow_id').doNothing()).execute();
    },
    replaceSecret: async (row: { workflowId: string; projectId: string; sealed: Uint8Array; keyId: string }): Promise<void> => {
      const values = { workflow_id: row.workflowId, project_id: row.projectId, sealed: Buffer.from(row.sealed), key_id: row.keyId, updated_at: new Date() };
      await db.insertInto('webhook_secrets').values(values).onConflict((c) => c.column('workflow_id').doUpdateSet(values)).execute();
    },
    /** True when the workflow is deployed in the project. */
    isProjectWorkflow: async (projectId: string, workflowId: string): Promise<boolean> =>
      (await db.selectFrom('deployments').select('workflow_id').where('project_id', '=', projectId).where('workflow_id', '=', workflowId).executeTakeFirst()) !== undefined,
  };
}

export type WebhookStore = ReturnType<typeof makeWebhookStore>;
