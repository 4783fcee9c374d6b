import type { Transaction } from 'kysely';
import type { BuildRepository } from '../../application/ports.js';
import type { BuildStatus } from '../../domain/build.js';
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
    ofSource: async (sourceId) => {
      const rows = await trx.selectFrom('builds').select(['action_id', 'version', 'status']).where('source_id', '=', sourceId).execute();
      return rows.map((row) => ({ actionId: row.action_id, version: row.version, status: row.status as BuildStatus }));
    },
  };
}
