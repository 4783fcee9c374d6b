import type { Kysely } from 'kysely';
import { pageOf, type Page, type PageRequest } from '@trellis/kernel/page';
import type { Build } from '../../domain/build.js';
import { fromRow } from './build-repository.js';
import type { Database } from './schema.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type BuildFilter = { source?: string | undefined; action?: string | undefined };
export type BuildKey = { requestedAt: Date; id: string };

/** Reads for the HTTP edge, always scoped by the caller's project. */
export function makeQueries(db: Kysely<Database>) {
  return {
    /** A project's builds, newest request first. */
    builds: async (projectId: string, filter: BuildFilter, page: PageRequest<BuildKey>): Promise<Page<Build>> => {
      let query = db.selectFrom('builds').selectAll().where('project_id', '=', projectId);
      if (filter.source !== undefined) query = query.where('source_id', '=', filter.source);
      if (filter.action !== undefined) query = query.where('action_id', '=', filter.action);
      if (page.after) {
        const { requestedAt, id } = page.after;
        query = query.where((eb) => eb.or([eb('requested_at', '<', requestedAt), eb.and([eb('requested_at', '=', requestedAt), eb('id', '<', id)])]));
      }
      const rows = await query.orderBy('requested_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
      return pageOf(rows.map(fromRow), page.limit);
    },
    build: async (projectId: string, id: string): Promise<Build | undefined> => {
      if (!uuid.test(id)) return undefined;
      const row = await db.selectFrom('builds').selectAll().where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
      return row && fromRow(row);
    },
  };
}

export type Queries = ReturnType<typeof makeQueries>;
