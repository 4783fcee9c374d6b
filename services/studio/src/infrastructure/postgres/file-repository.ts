import type { Selectable, Transaction } from 'kysely';
import type { FileRepository } from '../../application/file-ports.js';
import type { UploadedFile } from '../../domain/file.js';
import type { Database, FilesTable } from './schema.js';

export function toRow(file: UploadedFile) {
  return {
    id: file.id, project_id: file.projectId, name: file.name, content_type: file.contentType, size: file.size, sha256: file.sha256,
    object: file.object, created_at: file.createdAt, created_by: file.createdBy,
  };
}

export function fromRow(row: Selectable<FilesTable>): UploadedFile {
  return {
    id: row.id, projectId: row.project_id, name: row.name, contentType: row.content_type, size: Number(row.size), sha256: row.sha256,
    object: row.object, createdAt: row.created_at, createdBy: row.created_by,
  };
}

/** Files are named by the lowercase UUIDs studio gives them: any other text names none (and is never sent to a uuid column). */
const FILE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const isFileId = (id: string) => FILE_ID.test(id);

export function makeFileRepository(trx: Transaction<Database>): FileRepository {
  const mine = (projectId: string, ids: readonly string[]) =>
    trx.selectFrom('files').where('project_id', '=', projectId).where('id', 'in', [...new Set(ids.filter(isFileId))]);
  return {
    insert: async (file) => {
      await trx.insertInto('files').values(toRow(file)).execute();
    },
    findForUpdate: async (projectId, id) => {
      if (!isFileId(id)) return undefined;
      const row = await trx.selectFrom('files').selectAll().where('project_id', '=', projectId).where('id', '=', id).forUpdate().executeTakeFirst();
      return row && fromRow(row);
    },
    delete: async (projectId, id) => {
      if (!isFileId(id)) return false;
      const deleted = await trx.deleteFrom('files').where('project_id', '=', projectId).where('id', '=', id).returning('id').executeTakeFirst();
      return deleted !== undefined;
    },
    existing: async (projectId, ids) => {
      if (!ids.some(isFileId)) return [];
      return (await mine(projectId, ids).select('id').orderBy('id').execute()).map((row) => row.id);
    },
    findForShare: async (projectId, ids) => {
      if (!ids.some(isFileId)) return [];
      return (await mine(projectId, ids).selectAll().orderBy('id').forShare().execute()).map(fromRow);
    },
  };
}
