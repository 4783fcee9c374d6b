import { ok, rejected, type Result } from '../domain/result.js';
import * as Session from '../domain/session.js';
import { auditEntry } from './audit-entry.js';
import type { LogInDeps } from './log-in.js';
import type { RequestMeta } from './ports.js';
import { issueRefreshToken, signPair, type Grant, type TokenPair } from './token-pair.js';

export type InvalidRefreshToken = { readonly type: 'InvalidRefreshToken' };

/**
 * Trades a refresh token for a new pair. The token is used up; presenting it again revokes the
 * whole family (whoever holds the newest token loses it too), because one of the two holders
 * copied it. A disabled or deleted user's tokens stop working. The session keeps its project
 * while the user is still a member of it.
 */
export async function refreshSession(
  deps: Omit<LogInDeps, 'hasher'>,
  input: { refreshToken: string; meta: RequestMeta },
): Promise<Result<TokenPair, InvalidRefreshToken>> {
  const sha256 = deps.secrets.hashRefreshToken(input.refreshToken);
  const invalid = rejected({ type: 'InvalidRefreshToken' } as const);
  const outcome = await deps.uow(input.meta, async (tx): Promise<Result<Grant, InvalidRefreshToken>> => {
    const now = deps.clock();
    const seen = await tx.refreshTokens.find(sha256);
    if (!seen) return invalid;
    const session = await tx.sessions.findForUpdate(seen.sessionId);
    // Read again under the session's lock: a concurrent refresh with the same token has now either used it or not.
    const token = await tx.refreshTokens.find(sha256);
    switch (Session.judgeRefresh(token, session, now)) {
      case 'invalid':
        return invalid;
      case 'reused':
        if (!session) return invalid;
        await tx.sessions.update(Session.revoke(session, now, 'refresh_token_reused'));
        await tx.audit.record(auditEntry(input.meta, null, now, {
          type: 'refresh_token_reused', outcome: 'failure', actorUserId: session.userId, targetType: 'session', targetId: session.id,
        }));
        return invalid;
      case 'valid':
        break;
    }
    if (!session) return invalid;
    const user = await tx.users.findById(session.userId);
    if (!user || user.disabled) {
      await tx.sessions.update(Session.revoke(session, now, 'user_changed'));
      return invalid;
    }
    const project = Session.keepProject(session.projectId, await tx.memberships.projectsOf(user.id));
    const renewed: Session.Session = { ...session, projectId: project?.projectId ?? null, lastUsedAt: now };
    await tx.sessions.update(renewed);
    const refreshToken = await issueRefreshToken(tx, deps, renewed, { now, ttlSeconds: deps.settings.refreshTokenTtlSeconds });
    return ok({ user, session: renewed, project, refreshToken });
  }, { keepOnRejection: true }); // a refusal keeps its audit row, throttle counter or revoked session
  if (!outcome.ok) return outcome;
  return ok(await signPair(deps, outcome.value, deps.clock()));
}
