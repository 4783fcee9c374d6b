import type { Transaction } from 'kysely';
import type { MembershipRepository } from '../../application/ports.js';
import type { Database } from './schema.js';

export function makeMembershipRepository(trx: Transaction<Database>): MembershipRepository {
  return {
    upsert: async (membership) => {
      await trx.insertInto('memberships')
        .values({ project_id: membership.projectId, user_id: membership.userId, role: membership.role, created_at: membership.createdAt })
        .onConflict((c) => c.columns(['project_id', 'user_id']).doUpdateSet({ role: membership.role }))
        .execute();
    },
  };
}
