import type { Selectable, Transaction } from 'kysely';
import type { Project } from '../../domain/project.js';
import type { ProjectRepository } from '../../application/ports.js';
import type { Database, ProjectsTable } from './schema.js';

const toRow = (project: Project): ProjectsTable => ({
  id: project.id, name: project.name, title: project.title, created_by: project.createdBy, created_at: project.createdAt,
});

const fromRow = (row: Selectable<ProjectsTable>): Project => ({
  id: row.id, name: row.name, title: row.title, createdBy: row.created_by, createdAt: row.created_at,
});

export function makeProjectRepository(trx: Transaction<Database>): ProjectRepository {
  return {
    findById: async (id) => {
      const row = await trx.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
      return row && fromRow(row);
    },
    findByName: async (name) => {
      const row = await trx.selectFrom('projects').selectAll().where('name', '=', name).executeTakeFirst();
      return row && fromRow(row);
    },
    insertIfNameFree: async (project) => {
      const inserted = await trx.insertInto('projects').values(toRow(project))
        .onConflict((c) => c.column('name').doNothing()).returning('id').executeTakeFirst();
      return inserted !== undefined;
    },
    update: async (project) => {
      await trx.updateTable('projects').set({ title: project.title }).where('id', '=', project.id).execute();
    },
    // Memberships and API keys go with the project (foreign keys cascade); sessions forget it.
    delete: async (id) => {
      await trx.deleteFrom('projects').where('id', '=', id).execute();
    },
  };
}
