import { sql, type Kysely } from 'kysely';
import { pageOf, type Page } from '@trellis/kernel/page';
import type { LibraryAction, Logo } from '../../domain/library-action.js';
import { fromRow } from './library-repository.js';
import type { Database } from './schema.js';

const likePattern = (text: string) => `%${text.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Read-only views of the library for the HTTP edge (no rule runs here; keyset pagination). */
export function makeLibraryQueries(db: Kysely<Database>) {
  return {
    /** The newest version of each action of the project, by action id. */
    latest: async (projectId: string, input: { search?: string | undefined; category?: string | undefined; limit: number; after?: string | undefined }): Promise<Page<LibraryAction>> => {
      let query = db.selectFrom('library_actions').selectAll().distinctOn('action_id').where('project_id', '=', projectId);
      if (input.search?.trim()) {
        const pattern = likePattern(input.search);
        query = query.where((eb) => eb.or([
          eb('action_id', 'ilike', pattern), eb('name', 'ilike', pattern), eb('description', 'ilike', pattern),
          eb.exists(sql`(select 1 from unnest(categories) as c(category) where category ilike ${pattern})`),
        ]));
      }
      if (input.category) query = query.where(sql<boolean>`${input.category} = any(categories)`);
      if (input.after !== undefined) query = query.where('action_id', '>', input.after);
      const rows = await query.orderBy('action_id').orderBy('built_at', 'desc').limit(input.limit + 1).execute();
      return pageOf(rows.map(fromRow), input.limit);
    },
    /** Every version of one action, newest build first. */
    versions: async (projectId: string, actionId: string): Promise<LibraryAction[]> =>
      (await db.selectFrom('library_actions').selectAll().where('project_id', '=', projectId).where('action_id', '=', actionId)
        .orderBy('built_at', 'desc').execute()).map(fromRow),
    version: async (projectId: string, actionId: string, version: string): Promise<LibraryAction | undefined> => {
      const row = await db.selectFrom('library_actions').selectAll().where('project_id', '=', projectId).where('action_id', '=', actionId)
        .where('version', '=', version).executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },
    /** The logo of a version, or of the action's newest version when `version` is undefined. */
    logo: async (projectId: string, actionId: string, version?: string): Promise<Logo | undefined> => {
      let query = db.selectFrom('library_actions').select(['logo', 'logo_media_type']).where('project_id', '=', projectId).where('action_id', '=', actionId);
      if (version !== undefined) query = query.where('version', '=', version);
      const row = await query.orderBy('built_at', 'desc').limit(1).executeTakeFirst();
      return row?.logo && row.logo_media_type ? { bytes: new Uint8Array(row.logo), mediaType: row.logo_media_type } : undefined;
    },
  };
}

export type LibraryQueries = ReturnType<typeof makeLibraryQueries>;
