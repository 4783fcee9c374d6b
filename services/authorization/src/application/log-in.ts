import { ok, rejected, type Result } from '../domain/result.js';
import * as Session from '../domain/session.js';
import { auditEntry } from './audit-entry.js';
import type { AccessTokenSigner, Clock, Ids, PasswordHasher, RequestMeta, Secrets, UnitOfWork } from './ports.js';
import type { Settings } from './settings.js';
import { lockAndCheck, recordFailure, throttleKeys, type Throttled } from './throttle-steps.js';
import { issueRefreshToken, signPair, type Grant, type TokenPair } from './token-pair.js';

/** One answer for a wrong password, an unknown username and a disabled account: nothing tells them apart. */
export type InvalidCredentials = { readonly type: 'InvalidCredentials' };

export type LogInRejection = InvalidCredentials | Throttled | Session.ProjectNotFound;

export type LogInDeps = {
  uow: UnitOfWork;
  clock: Clock;
  ids: Ids;
  hasher: PasswordHasher;
  secrets: Secrets;
  signer: AccessTokenSigner;
  settings: Settings;
};

/**
 * Checks a username and password and opens a session: a refresh-token family and an access
 * token for the requested project (or the user's first). Attempts for one username, and from
 * one address, are judged one after another under a lock; failures lock them out for growing
 * delays. An unknown username costs the same hashing time as a wrong password.
 */
export async function logIn(
  deps: LogInDeps,
  input: { username: string; password: string; projectId: string | null; meta: RequestMeta },
): Promise<Result<TokenPair, LogInRejection>> {
  const keys = throttleKeys(input.username, input.meta.clientIp);
  const outcome = await deps.uow(input.meta, async (tx): Promise<Result<Grant, LogInRejection>> => {
    const now = deps.clock();
    const failed = (details: Record<string, string>, targetId: string | null = null) =>
      tx.audit.record(auditEntry(input.meta, null, now, { type: 'login', outcome: 'failure', targetType: targetId ? 'user' : null, targetId, details }));

    const { counters, refusal } = await lockAndCheck(tx, keys, now);
    if (refusal) {
      await failed({ reason: 'throttled' });
      return rejected(refusal);
    }
    const user = await tx.users.findByUsername(input.username);
    let matches = false;
    if (user) matches = await deps.hasher.verify(input.password, user.passwordHash);
    else await deps.hasher.spend(input.password);
    if (!user || !matches || user.disabled) {
      await recordFailure(tx, keys, counters, now, deps.settings);
      // The attempted name is kept only when it is a real account: an unknown "username" may be a mistyped password.
      await failed({ reason: !user ? 'unknown_user' : !matches ? 'wrong_password' : 'disabled' }, user?.id ?? null);
      return rejected({ type: 'InvalidCredentials' });
    }
    await tx.loginThrottle.reset({ kind: 'username', value: user.username });
    const chosen = Session.chooseProject(input.projectId, await tx.memberships.projectsOf(user.id));
    if (!chosen.ok) {
      await failed({ reason: 'project_not_found' }, user.id);
      return chosen;
    }
    const session = Session.start({ id: deps.ids(), userId: user.id, projectId: chosen.value?.projectId ?? null, now });
    await tx.sessions.insert(session);
    const refreshToken = await issueRefreshToken(tx, deps, session, { now, ttlSeconds: deps.settings.refreshTokenTtlSeconds });
    await tx.audit.record(auditEntry(input.meta, null, now, {
      type: 'login', actorUserId: user.id, projectId: chosen.value?.projectId ?? null, targetType: 'session', targetId: session.id,
    }));
    return ok({ user, session, project: chosen.value, refreshToken });
  }, { keepOnRejection: true }); // a refusal keeps its audit row, throttle counter or revoked session
  if (!outcome.ok) return outcome;
  return ok(await signPair(deps, outcome.value, deps.clock()));
}
