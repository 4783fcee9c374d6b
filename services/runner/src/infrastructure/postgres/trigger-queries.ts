import { sql, type Kysely } from 'kysely';
import type { ServedTrigger } from '../../application/trigger-listeners.js';
import type { JsonValue } from '@trellis/kernel/io';
import type { PinnedAction } from '../../domain/deployment.js';
import type { TriggerCursorScope } from '../../domain/trigger-cursor.js';
import type { Database } from './schema.js';

/** Every workflow serving a version whose trigger is an action (an undeploying one serves none), with that version. */
export async function servedTriggers(db: Kysely<Database>): Promise<ServedTrigger[]> {
  const rows = await db.selectFrom('deployments as d')
    .innerJoin('deployed_versions as v', (join) => join.onRef('v.workflow_id', '=', 'd.workflow_id').onRef('v.version', '=', 'd.serving_version'))
    .select(['d.project_id', 'd.workflow_id', 'v.version', sql<string>`v.document::text`.as('document_json'), 'v.actions', 'v.site'])
    .where('d.serving_version', 'is not', null)
    .where(sql<boolean>`v.document -> 'trigger' ->> 'type' = 'action'`)
    .orderBy('d.workflow_id')
    .execute();
  return rows.map((row) => ({
    projectId: row.project_id, workflowId: row.workflow_id, version: row.version, documentJson: row.document_json, actions: row.actions as PinnedAction[], site: row.site,
  }));
}

/**
 * The trigger outputs of the newest run a trigger event of this workflow started (its
 * idempotency key `trigger:...`, re-runs aside) under any of its versions whose trigger has this
 * cursor scope: the same action, whatever its version, with the same inputs as written
 * (domain/trigger-cursor.ts; jsonb equality, members in any order), or null: the cursor a
 * polling trigger resumes from, after a restart or a redeploy. Read through
 * runs_workflow_created_idx, newest first, each run's version looked up by its key. Runs removed
 * by retention are gone from it too: a trigger idle longer than the retention starts afresh.
 */
export async function lastTriggerEvent(db: Kysely<Database>, workflowId: string, scope: TriggerCursorScope): Promise<Record<string, JsonValue> | null> {
  const trigger = sql`v.document -> 'trigger'`;
  const row = await db.selectFrom('runs as r')
    .innerJoin('deployed_versions as v', (join) => join.onRef('v.workflow_id', '=', 'r.workflow_id').onRef('v.version', '=', 'r.version'))
    .select('r.trigger_outputs')
    .where('r.workflow_id', '=', workflowId)
    .where('r.trigger_type', '=', 'action')
    .where('r.rerun_of', 'is', null)
    .where('r.idempotency_key', 'like', 'trigger:%')
    .where(sql<boolean>`split_part(${trigger} ->> 'action', '@', 1) = ${scope.actionId}`)
    // As the document reader does: inputs that are not an object are none.
    .where(sql<boolean>`(case when json_typeof(${trigger} -> 'inputs') = 'object' then (${trigger} -> 'inputs')::jsonb else '{}'::jsonb end) = ${JSON.stringify(scope.inputs)}::jsonb`)
    .orderBy('r.created_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const outputs = row?.trigger_outputs;
  return typeof outputs === 'object' && outputs !== null && !Array.isArray(outputs) ? (outputs as Record<string, JsonValue>) : null;
}
