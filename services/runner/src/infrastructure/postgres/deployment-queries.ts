import type { Kysely } from 'kysely';
import { pageOf, type Page } from '@trellis/kernel/page';
import type { Deployment, PinnedAction, SiteName } from '../../domain/deployment.js';
import { fromRow } from './deployment-repository.js';
import type { Database } from './schema.js';

/**
 * A deployment as the list shows it, with the actions of the version it serves (or, when none serves, of the one asked for)
 * and, for a schedule, its next tick.
 */
export type DeploymentListing = Deployment & { actions: readonly PinnedAction[]; site: SiteName; nextRunAt: Date | null };

/** Read-only views of deployments (no domain rule: straight from the tables). */
export function makeDeploymentQueries(db: Kysely<Database>) {
  const listed = (projectId: string) => db.selectFrom('deployments as d')
    .leftJoin('deployed_versions as v', (join) => join.onRef('v.workflow_id', '=', 'd.workflow_id')
      .on((eb) => eb('v.version', '=', eb.fn.coalesce('d.serving_version', 'd.version'))))
    .leftJoin('schedules as s', 's.workflow_id', 'd.workflow_id')
    .selectAll('d').select(['v.actions', 'v.site', 's.next_tick_at'])
    .where('d.project_id', '=', projectId);
  return {
    /** The project's deployments by workflow name (then id), `limit` after the key `after`. */
    list: async (projectId: string, input: { limit: number; after?: readonly [string, string] | undefined }): Promise<Page<DeploymentListing>> => {
      let query = listed(projectId);
      const after = input.after;
      if (after) query = query.where((eb) => eb.or([eb('d.name', '>', after[0]), eb.and([eb('d.name', '=', after[0]), eb('d.workflow_id', '>', after[1])])]));
      const rows = await query.orderBy('d.name').orderBy('d.workflow_id').limit(input.limit + 1).execute();
      return pageOf(rows.map(({ actions, site, next_tick_at: nextRunAt, ...row }) => ({ ...fromRow(row), actions: (actions ?? []) as PinnedAction[], site: site ?? 'local', nextRunAt })), input.limit);
    },
    /** One deployment of the project (by workflow id), as the list shows it. */
    find: async (projectId: string, workflowId: string): Promise<DeploymentListing | undefined> => {
      const row = await listed(projectId).where('d.workflow_id', '=', workflowId).executeTakeFirst();
      if (!row) return undefined;
      const { actions, site, next_tick_at: nextRunAt, ...deployment } = row;
      return { ...fromRow(deployment), actions: (actions ?? []) as PinnedAction[], site: site ?? 'local', nextRunAt };
    },
  };
}

export type DeploymentQueries = ReturnType<typeof makeDeploymentQueries>;
