import type { Actor } from '../domain/actor.js';
import { ok, rejected, type Result } from '../domain/result.js';
import * as User from '../domain/user.js';
import { auditEntry } from './audit-entry.js';
import type { Clock, PasswordHasher, RequestMeta, UnitOfWork } from './ports.js';
import type { Settings } from './settings.js';
import { lockAndCheck, recordFailure, throttleKeys, type Throttled } from './throttle-steps.js';
import type { UserNotFound } from './update-user.js';

export type ChangeOwnPasswordRejection = UserNotFound | User.PasswordRejection | Throttled | { readonly type: 'WrongPassword' };

/**
 * A user changes their own password, proving the current one. Wrong guesses count against the
 * same throttle as logins, so a stolen access token cannot be used to guess the password.
 * Every other session of the user ends; the one making the change stays.
 */
export async function changeOwnPassword(
  deps: { uow: UnitOfWork; clock: Clock; hasher: PasswordHasher; settings: Settings },
  input: { actor: Actor & { userId: string }; sessionId: string | null; currentPassword: string; newPassword: string; meta: RequestMeta },
): Promise<Result<void, ChangeOwnPasswordRejection>> {
  return deps.uow(input.meta, async (tx) => {
    const now = deps.clock();
    const user = await tx.users.findById(input.actor.userId);
    if (!user) return rejected({ type: 'UserNotFound', userId: input.actor.userId });
    const keys = throttleKeys(user.username, input.meta.clientIp);
    const { counters, refusal } = await lockAndCheck(tx, keys, now);
    if (refusal) return rejected(refusal);
    const audit = (outcome: 'success' | 'failure', details: Record<string, string>) =>
      tx.audit.record(auditEntry(input.meta, input.actor, now, { type: 'password_changed', outcome, targetType: 'user', targetId: user.id, details }));
    if (!(await deps.hasher.verify(input.currentPassword, user.passwordHash))) {
      await recordFailure(tx, keys, counters, now, deps.settings);
      await audit('failure', { reason: 'wrong_password' });
      return rejected({ type: 'WrongPassword' });
    }
    const weak = User.checkPassword(user.username, input.newPassword);
    if (weak) return rejected(weak);
    await tx.users.update({ ...user, passwordHash: await deps.hasher.hash(input.newPassword) });
    await tx.loginThrottle.reset({ kind: 'username', value: user.username });
    await tx.sessions.revokeAllOf(user.id, { now, reason: 'password_changed', ...(input.sessionId ? { keep: input.sessionId } : {}) });
    await audit('success', {});
    return ok(undefined);
  }, { keepOnRejection: true }); // a wrong current password keeps its audit row and throttle counter
}
