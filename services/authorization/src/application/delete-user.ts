import * as ActorRules from '../domain/actor.js';
import { ok, rejected, type Result } from '../domain/result.js';
import * as User from '../domain/user.js';
import { auditEntry } from './audit-entry.js';
import type { Clock, RequestMeta, UnitOfWork } from './ports.js';
import type { UserNotFound } from './update-user.js';

/**
 * Deletes an account with its memberships and sessions, and announces UserDeleted. An admin
 * cannot delete themself, nor the last working admin. Admins only (declared at the edge).
 */
export async function deleteUser(
  deps: { uow: UnitOfWork; clock: Clock },
  input: { actor: ActorRules.Actor; userId: string; meta: RequestMeta },
): Promise<Result<void, UserNotFound | User.AdminRejection>> {
  return deps.uow(input.meta, async (tx) => {
    const now = deps.clock();
    const activeAdminIds = await tx.users.lockActiveAdmins();
    const user = await tx.users.findById(input.userId);
    if (!user) return rejected({ type: 'UserNotFound', userId: input.userId });
    const removed = User.remove(user, { deletedBy: ActorRules.idOf(input.actor), activeAdminIds, now });
    if (!removed.ok) return removed;
    await tx.users.delete(user.id);
    await tx.outbox.append(removed.value.events);
    await tx.audit.record(auditEntry(input.meta, input.actor, now, {
      type: 'user_deleted', targetType: 'user', targetId: user.id, details: { username: user.username },
    }));
    return ok(undefined);
  });
}
