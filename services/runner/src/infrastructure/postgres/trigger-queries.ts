import { sql, type Kysely } from 'kysely';
import type { ServedTrigger } from '../../application/trigger-listeners.js';
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
