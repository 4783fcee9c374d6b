import type { Actor } from '../domain/actor.js';
import { ok, rejected, type Result } from '../domain/result.js';
import * as User from '../domain/user.js';
import { auditEntry } from './audit-entry.js';
import type { Clock, Ids, PasswordHasher, RequestMeta, UnitOfWork } from './ports.js';

export type CreateUserInput = {
  actor: Actor;
  username: string;
  password: string;
  displayName?: string | undefined;
  email?: string | null | undefined;
  isAdmin?: boolean | undefined;
  meta: RequestMeta;
};

export type CreateUserRejection = User.UserRejection | { readonly type: 'UsernameTaken'; readonly username: string };

/** An administrator creates an account. Only instance admins reach it (declared at the edge). */
export async function createUser(
  deps: { uow: UnitOfWork; clock: Clock; ids: Ids; hasher: PasswordHasher },
  input: CreateUserInput,
): Promise<Result<User.User, CreateUserRejection>> {
  const invalid = User.checkUsername(input.username) ?? User.checkPassword(input.username, input.password);
  if (invalid) return rejected(invalid);
  const now = deps.clock();
  const created = User.create({
    id: deps.ids(), username: input.username, displayName: input.displayName, email: input.email,
    passwordHash: await deps.hasher.hash(input.password), isAdmin: input.isAdmin ?? false, now,
  });
  if (!created.ok) return created;
  const user = created.value;
  return deps.uow(input.meta, async (tx) => {
    if (!(await tx.users.insertIfUsernameFree(user))) return rejected({ type: 'UsernameTaken', username: user.username });
    await tx.audit.record(auditEntry(input.meta, input.actor, now, { type: 'user_created', targetType: 'user', targetId: user.id, details: { is_admin: user.isAdmin } }));
    return ok(user);
  });
}
