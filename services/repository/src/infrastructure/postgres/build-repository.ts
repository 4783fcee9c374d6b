import type { Transaction } from 'kysely';
import type { BuildRepository } from '../../application/ports.js';
import { buildFromRow, buildToRow } from './rows.js';
import type { Database } from './schema.js';

export function makeBuildRepository(trx: Transaction<Database>): BuildRepository {
  return {
    insert: async (builds) => {
      if (builds.length > 0) await trx.insertInto('builds').values(builds.map(buildToRow)).execute();
    },
    findForUpdate: async (id) => {
      const row = await trx.selectFrom('builds').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      return row && buildFromRow(row);
    },
    update: async (build) => {
      const { id, ...changed } = buildToRow(build);
      await trx.updateTable('builds').set(changed).where('id', '=', id).execute();
    },
  };
}
