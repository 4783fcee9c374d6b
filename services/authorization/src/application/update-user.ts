import type { Actor } from '../domain/actor.js';
import { ok, rejected, type Result } from '../domain/result.js';
import * as User from '../domain/user.js';
import { auditEntry } from './audit-entry.js';
import type { Clock, PasswordHasher, RequestMeta, UnitOfWork } from './ports.js';

export type UserNotFound = { readonly type: 'UserNotFound'; readonly userId: string };

export type UpdateUserInput = {
  actor: Actor;
  userId: string;
  changes: {
    displayName?: string | undefined;
    email?: string | null | undefined;
    disabled?: boolean | undefined;
    isAdmin?: boolean | undefined;
    /** A password reset by the administrator. */
    password?: string | undefined;
  };
  meta: RequestMeta;
};

/**
 * An administrator changes an account. Disabling, demoting or resetting the password ends the
 * user's sessions. The instance keeps at least one working admin. Admins only (declared at the edge).
 */
export async function updateUser(
  deps: { uow: UnitOfWork; clock: Clock; hasher: PasswordHasher },
  input: UpdateUserInput,
): Promise<Result<User.User, UserNotFound | User.UserRejection | User.AdminRejection>> {
  const { password, ...changes } = input.changes;
  let passwordHash: string | undefined;
  if (password !== undefined) {
    // Hashing is slow: it happens before the transaction, on the username read just before.
    const user = await deps.uow(input.meta, (tx) => tx.users.findById(input.userId));
    if (!user) return rejected({ type: 'UserNotFound', userId: input.userId });
    const weak = User.checkPassword(user.username, password);
    if (weak) return rejected(weak);
    passwordHash = await deps.hasher.hash(password);
  }
  return deps.uow(input.meta, async (tx) => {
    const now = deps.clock();
    const activeAdmins = await tx.users.lockActiveAdmins();
    const user = await tx.users.findById(input.userId);
    if (!user) return rejected({ type: 'UserNotFound', userId: input.userId });
    const updated = User.update(user, { ...changes, passwordHash }, activeAdmins);
    if (!updated.ok) return updated;
    await tx.users.update(updated.value);
    if (User.endsSessions(user, updated.value)) await tx.sessions.revokeAllOf(user.id, { now, reason: 'user_changed' });
    await tx.audit.record(auditEntry(input.meta, input.actor, now, {
      type: 'user_updated', targetType: 'user', targetId: user.id, details: { fields: User.changedFields(user, updated.value) },
    }));
    return ok(updated.value);
  });
}
