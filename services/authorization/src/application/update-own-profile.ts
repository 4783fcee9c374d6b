import type { Actor } from '../domain/actor.js';
import { ok, rejected, type Result } from '../domain/result.js';
import * as User from '../domain/user.js';
import { auditEntry } from './audit-entry.js';
import type { Clock, RequestMeta, UnitOfWork } from './ports.js';
import type { UserNotFound } from './update-user.js';

/** A user changes their own display name. */
export async function updateOwnProfile(
  deps: { uow: UnitOfWork; clock: Clock },
  input: { actor: Actor & { userId: string }; displayName: string; meta: RequestMeta },
): Promise<Result<User.User, UserNotFound | User.UserRejection | User.AdminRejection>> {
  return deps.uow(input.meta, async (tx) => {
    const user = await tx.users.findById(input.actor.userId);
    if (!user) return rejected({ type: 'UserNotFound', userId: input.actor.userId });
    // A display name never touches admin rights, so the admin list does not matter here.
    const updated = User.update(user, { displayName: input.displayName }, []);
    if (!updated.ok) return updated;
    await tx.users.update(updated.value);
    await tx.audit.record(auditEntry(input.meta, input.actor, deps.clock(), {
      type: 'user_updated', targetType: 'user', targetId: user.id, details: { fields: User.changedFields(user, updated.value) },
    }));
    return ok(updated.value);
  });
}
