import type { Transaction } from 'kysely';
import type { KnownProjects } from '../../application/ports.js';
import type { Database } from './schema.js';

export function makeProjectRepository(trx: Transaction<Database>): KnownProjects {
  return {
    insertIfAbsent: async (project) => {
      const inserted = await trx.insertInto('projects')
        .values({ id: project.id, name: project.name, created_at: project.createdAt })
        .onConflict((c) => c.column('id').doNothing()).returning('id').executeTakeFirst();
      return inserted !== undefined;
    },
    forget: async (projectId, deletedAt) => {
      const deleted = await trx.deleteFrom('projects').where('id', '=', projectId).returning('id').executeTakeFirst();
      await trx.insertInto('deleted_projects').values({ id: projectId, deleted_at: deletedAt })
        .onConflict((c) => c.column('id').doNothing()).execute();
      return { wasKnown: deleted !== undefined };
    },
    wasDeleted: async (projectId) =>
      (await trx.selectFrom('deleted_projects').select('id').where('id', '=', projectId).executeTakeFirst()) !== undefined,
  };
}
