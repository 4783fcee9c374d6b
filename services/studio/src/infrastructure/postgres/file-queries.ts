import type { Kysely } from 'kysely';
import { pageOf, type Page, type PageRequest } from '@trellis/kernel/page';
import type { UploadedFile } from '../../domain/file.js';
import { fromRow, isFileId } from './file-repository.js';
import type { Database } from './schema.js';

/** `text` anywhere in a name, any case; `%`, `_` and `\` are characters, not wildcards. */
const likePattern = (text: string) => `%${text.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Read-only views of the project's uploaded files for the HTTP edge: by name then id (names may repeat), keyset pagination. */
export function makeFileQueries(db: Kysely<Database>) {
  return {
    list: async (projectId: string, search: string | undefined, page: PageRequest<readonly [string, string]>): Promise<Page<UploadedFile>> => {
      let query = db.selectFrom('files').selectAll().where('project_id', '=', projectId);
      if (search?.trim()) query = query.where('name', 'ilike', likePattern(search));
      if (page.after !== undefined) {
        const [name, id] = page.after;
        query = query.where((eb) => eb.or([eb('name', '>', name), eb.and([eb('name', '=', name), eb('id', '>', id)])]));
      }
      return pageOf((await query.orderBy('name').orderBy('id').limit(page.limit + 1).execute()).map(fromRow), page.limit);
    },
    file: async (projectId: string, id: string): Promise<UploadedFile | undefined> => {
      if (!isFileId(id)) return undefined;
      const row = await db.selectFrom('files').selectAll().where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
      return row && fromRow(row);
    },
  };
}

export type FileQueries = ReturnType<typeof makeFileQueries>;
