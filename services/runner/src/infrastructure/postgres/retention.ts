import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** The runs retention deletes and the projects' own retention (runner_project_settings). */
export function makeRetentionStore(db: Kysely<Database>) {
  return {
    /**
     * Up to `limit` finished runs older than their project's retention (its own days, else
     * `defaultDays`; 0 keeps for ever), oldest first, as of `now`.
     */
    expired: async (defaultDays: number, now: Date, limit: number): Promise<{ id: string; projectId: string }[]> => {
      const { rows } = await sql<{ id: string; project_id: string }>`
        select r.id, r.project_id from runs r left join runner_project_settings s on s.project_id = r.project_id
        where r.status in ('succeeded', 'failed', 'canceled')
          and coalesce(s.retention_days, ${defaultDays}::float8) > 0
          and r.finished_at < ${now.toISOString()}::timestamptz - make_interval(secs => coalesce(s.retention_days, ${defaultDays}::float8) * 86400)
        order by r.finished_at, r.id
        limit ${limit}`.execute(db);
      return rows.map((row) => ({ id: row.id, projectId: row.project_id }));
    },
    /** Deletes these runs (their steps and attempts cascade). */
    remove: async (ids: readonly string[]): Promise<number> => {
      if (ids.length === 0) return 0;
      const deleted = await db.deleteFrom('runs').where('id', 'in', ids).executeTakeFirst();
      return Number(deleted.numDeletedRows);
    },
    /** The project's own retention in days (null: the runner's default). */
    retentionOf: async (projectId: string): Promise<number | null> =>
      (await db.selectFrom('runner_project_settings').select('retention_days').where('project_id', '=', projectId).executeTakeFirst())?.retention_days ?? null,
    setRetention: async (projectId: string, days: number | null, at: Date): Promise<void> => {
      await db.insertInto('runner_project_settings').values({ project_id: projectId, retention_days: days, updated_at: at })
        .onConflict((c) => c.column('project_id').doUpdateSet({ retention_days: days, updated_at: at })).execute();
    },
  };
}

export type RetentionStore = ReturnType<typeof makeRetentionStore>;
