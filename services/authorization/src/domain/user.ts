import type { UserDeleted } from './events.js';
import { ok, rejected, type Result } from './result.js';

export type User = {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly email: string | null;
  readonly passwordHash: string;
  readonly isAdmin: boolean;
  readonly disabled: boolean;
  readonly createdAt: Date;
};

export const ADMIN_USERNAME = 'admin';
export const MINIMUM_PASSWORD_LENGTH = 12;

export type PasswordRejection =
  | { readonly type: 'PasswordTooShort'; readonly minimum: number }
  | { readonly type: 'PasswordIsUsername' };

export type UserRejection =
  | PasswordRejection
  | { readonly type: 'InvalidUsername'; readonly reason: string }
  | { readonly type: 'InvalidEmail' }
  | { readonly type: 'InvalidDisplayName'; readonly reason: string };

/** The rules that keep at least one working administrator and stop an admin from removing themself. */
export type AdminRejection = { readonly type: 'LastAdmin' } | { readonly type: 'CannotDeleteSelf' };

const usernamePattern = /^[a-z0-9._-]{3,64}$/;
// Deliberately loose: one @, no spaces, a dot in the domain. Deliverability is proven by mail, not by a regex.
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
const controlCharacters = /[\u0000-\u001f\u007f]/;

export function checkUsername(username: string): UserRejection | undefined {
  if (!usernamePattern.test(username)) {
    return { type: 'InvalidUsername', reason: 'must be 3 to 64 of lowercase letters, digits, dots, underscores and hyphens' };
  }
  return undefined;
}

export function checkPassword(username: string, password: string): PasswordRejection | undefined {
  if ([...password].length < MINIMUM_PASSWORD_LENGTH) return { type: 'PasswordTooShort', minimum: MINIMUM_PASSWORD_LENGTH };
  if (password.toLowerCase() === username.toLowerCase()) return { type: 'PasswordIsUsername' };
  return undefined;
}

export function checkEmail(email: string | null): UserRejection | undefined {
  if (email === null) return undefined;
  if (email.length > 254 || !emailPattern.test(email)) return { type: 'InvalidEmail' };
  return undefined;
}

export function checkDisplayName(displayName: string): UserRejection | undefined {
  if (displayName.trim().length === 0 || [...displayName].length > 100) return { type: 'InvalidDisplayName', reason: 'must be 1 to 100 characters' };
  if (controlCharacters.test(displayName)) return { type: 'InvalidDisplayName', reason: 'may not hold control characters' };
  return undefined;
}

/** A new account; the password was checked with `checkPassword` before it was hashed. */
export function create(input: {
  id: string;
  username: string;
  displayName?: string | undefined;
  email?: string | null | undefined;
  passwordHash: string;
  isAdmin: boolean;
  now: Date;
}): Result<User, UserRejection> {
  const displayName = input.displayName ?? input.username;
  const email = input.email ?? null;
  const problem = checkUsername(input.username) ?? checkDisplayName(displayName) ?? checkEmail(email);
  if (problem) return rejected(problem);
  return ok({
    id: input.id, username: input.username, displayName: displayName.trim(), email, passwordHash: input.passwordHash,
    isAdmin: input.isAdmin, disabled: false, createdAt: input.now,
  });
}

/** The instance administrator created at first start. */
export function makeAdmin(input: { id: string; passwordHash: string; now: Date }): User {
  return {
    id: input.id,
    username: ADMIN_USERNAME,
    displayName: 'Administrator',
    email: null,
    passwordHash: input.passwordHash,
    isAdmin: true,
    disabled: false,
    createdAt: input.now,
  };
}

export type UserChanges = {
  readonly displayName?: string | undefined;
  readonly email?: string | null | undefined;
  readonly disabled?: boolean | undefined;
  readonly isAdmin?: boolean | undefined;
  readonly passwordHash?: string | undefined;
};

/** A working administrator: one who can still log in and administer. */
export const isActiveAdmin = (user: User): boolean => user.isAdmin && !user.disabled;

/**
 * Applies an administrator's changes. `activeAdminIds` are the instance's working admins, read
 * under a lock: the change may not leave none.
 */
export function update(user: User, changes: UserChanges, activeAdminIds: readonly string[]): Result<User, UserRejection | AdminRejection> {
  const next: User = {
    ...user,
    ...(changes.displayName === undefined ? {} : { displayName: changes.displayName.trim() }),
    ...(changes.email === undefined ? {} : { email: changes.email }),
    ...(changes.disabled === undefined ? {} : { disabled: changes.disabled }),
    ...(changes.isAdmin === undefined ? {} : { isAdmin: changes.isAdmin }),
    ...(changes.passwordHash === undefined ? {} : { passwordHash: changes.passwordHash }),
  };
  const problem = (changes.displayName === undefined ? undefined : checkDisplayName(changes.displayName))
    ?? (changes.email === undefined ? undefined : checkEmail(changes.email));
  if (problem) return rejected(problem);
  if (isActiveAdmin(user) && !isActiveAdmin(next) && activeAdminIds.filter((id) => id !== user.id).length === 0) {
    return rejected({ type: 'LastAdmin' });
  }
  return ok(next);
}

/** What changed, by field name only: an audit line never holds a value such as a password hash. */
export function changedFields(before: User, after: User): string[] {
  const fields: Array<[string, unknown, unknown]> = [
    ['display_name', before.displayName, after.displayName],
    ['email', before.email, after.email],
    ['disabled', before.disabled, after.disabled],
    ['is_admin', before.isAdmin, after.isAdmin],
    ['password', before.passwordHash, after.passwordHash],
  ];
  return fields.filter(([, a, b]) => a !== b).map(([name]) => name);
}

/** A change that should end the user's open sessions: they may no longer act as before. */
export function endsSessions(before: User, after: User): boolean {
  return (!before.disabled && after.disabled) || before.passwordHash !== after.passwordHash || (before.isAdmin && !after.isAdmin);
}

export function remove(user: User, input: { deletedBy: string; activeAdminIds: readonly string[]; now: Date }): Result<{ events: [UserDeleted] }, AdminRejection> {
  if (user.id === input.deletedBy) return rejected({ type: 'CannotDeleteSelf' });
  if (isActiveAdmin(user) && input.activeAdminIds.filter((id) => id !== user.id).length === 0) return rejected({ type: 'LastAdmin' });
  return ok({ events: [{ type: 'UserDeleted', userId: user.id, occurredAt: input.now }] });
}
