import type { Selectable, Transaction } from 'kysely';
import type { Membership } from '../../domain/membership.js';
import { isRole } from '../../domain/role.js';
import type { MembershipRepository } from '../../application/ports.js';
import type { Database, MembershipsTable } from './schema.js';

const toRow = (membership: Membership): MembershipsTable => ({
  project_id: membership.projectId, user_id: membership.userId, role: membership.role, created_at: membership.createdAt,
});

export function roleOf(value: string) {
  if (!isRole(value)) throw new Error(`unknown role in the database: ${value}`);
  return value;
}

const fromRow = (row: Selectable<MembershipsTable>): Membership => ({
  projectId: row.project_id, userId: row.user_id, role: roleOf(row.role), createdAt: row.created_at,
});

export function makeMembershipRepository(trx: Transaction<Database>): MembershipRepository {
  return {
    find: async (projectId, userId) => {
      const row = await trx.selectFrom('memberships').selectAll().where('project_id', '=', projectId).where('user_id', '=', userId).executeTakeFirst();
      return row && fromRow(row);
    },
    lockProject: async (projectId) => {
      const rows = await trx.selectFrom('memberships').selectAll().where('project_id', '=', projectId).orderBy('user_id').forUpdate().execute();
      return rows.map(fromRow);
    },
    projectsOf: async (userId) => {
      const rows = await trx.selectFrom('memberships').innerJoin('projects', 'projects.id', 'memberships.project_id')
        .select(['memberships.project_id', 'memberships.role', 'projects.name']).where('memberships.user_id', '=', userId)
        .orderBy('projects.name').execute();
      return rows.map((row) => ({ projectId: row.project_id, projectName: row.name, role: roleOf(row.role) }));
    },
    upsert: async (membership) => {
      await trx.insertInto('memberships').values(toRow(membership))
        .onConflict((c) => c.columns(['project_id', 'user_id']).doUpdateSet({ role: membership.role }))
        .execute();
    },
    delete: async (projectId, userId) => {
      await trx.deleteFrom('memberships').where('project_id', '=', projectId).where('user_id', '=', userId).execute();
    },
  };
}
