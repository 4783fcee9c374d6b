import { sql, type Kysely } from 'kysely';
import type { ServedTrigger } from '../../application/trigger-listeners.js';
import type { JsonValue } from '@trellis/kernel/io';
import type { PinnedAction } from '../../domain/deployment.js';
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
 * The trigger outputs of the newest run a trigger event of this workflow version started (its
 * idempotency key `trigger:...`, re-runs aside), or null: the cursor a polling trigger resumes
 * from. Read through runs_workflow_created_idx, newest first. Runs removed by retention are gone
 * from it too: a trigger idle longer than the retention starts afresh.
 */
export async function lastTriggerEvent(db: Kysely<Database>, workflowId: string, version: number): Promise<Record<string, JsonValue> | null> {
  const row = await db.selectFrom('runs')
    .select('trigger_outputs')
    .where('workflow_id', '=', workflowId)
    .where('version', '=', version)
    .where('trigger_type', '=', 'action')
    .where('rerun_of', 'is', null)
    .where('idempotency_key', 'like', 'trigger:%')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const outputs = row?.trigger_outputs;
  return typeof outputs === 'object' && outputs !== null && !Array.isArray(outputs) ? (outputs as Record<string, JsonValue>) : null;
}
