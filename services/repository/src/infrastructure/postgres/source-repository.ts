import type { Transaction } from 'kysely';
import type { SourceRepository } from '../../application/ports.js';
import { sourceFromRow, sourceToRow } from './rows.js';
import type { Database } from './schema.js';

export function makeSourceRepository(trx: Transaction<Database>): SourceRepository {
  const mine = (projectId: string, id: string) => trx.selectFrom('sources').selectAll().where('project_id', '=', projectId).where('id', '=', id);
  return {
    insertIfNameFree: async (source, sealedPassword) => {
      const inserted = await trx.insertInto('sources').values({ ...sourceToRow(source), sealed_password: sealedPassword })
        .onConflict((c) => c.columns(['project_id', 'name']).doNothing()).returning('id').executeTakeFirst();
      return inserted !== undefined;
    },
    find: async (projectId, id) => {
      const row = await mine(projectId, id).executeTakeFirst();
      return row && sourceFromRow(row);
    },
    findForUpdate: async (projectId, id) => {
      const row = await mine(projectId, id).forUpdate().executeTakeFirst();
      return row && sourceFromRow(row);
    },
    findManaged: async (projectId) => {
      const row = await trx.selectFrom('sources').selectAll().where('project_id', '=', projectId).where('managed', '=', true).forUpdate().executeTakeFirst();
      return row && sourceFromRow(row);
    },
    findWithSecret: async (projectId, id) => {
      const row = await mine(projectId, id).executeTakeFirst();
      return row && { source: sourceFromRow(row), sealedPassword: row.sealed_password };
    },
    update: async (source, sealedPassword) => {
      const clash = await trx.selectFrom('sources').select('id').where('project_id', '=', source.projectId)
        .where('name', '=', source.name).where('id', '<>', source.id).executeTakeFirst();
      if (clash) return false;
      const { id: _id, project_id: _project, created_at: _created, created_by: _by, ...changed } = sourceToRow(source);
      await trx.updateTable('sources')
        .set({ ...changed, ...(sealedPassword === undefined ? {} : { sealed_password: sealedPassword }) })
        .where('project_id', '=', source.projectId).where('id', '=', source.id).execute();
      return true;
    },
    delete: async (projectId, id) => {
      await trx.deleteFrom('sources').where('project_id', '=', projectId).where('id', '=', id).execute();
    },
  };
}
