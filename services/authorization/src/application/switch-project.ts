import type { Actor } from '../domain/actor.js';
import { ok, rejected, type Result } from '../domain/result.js';
import * as Session from '../domain/session.js';
import { auditEntry } from './audit-entry.js';
import type { LogInDeps } from './log-in.js';
import type { RequestMeta } from './ports.js';
import { issueRefreshToken, signPair, type Grant, type TokenPair } from './token-pair.js';

/** The access token names a session that no longer exists or was revoked. */
export type SessionEnded = { readonly type: 'SessionEnded' };

/**
 * Moves the caller's session to another project they belong to: a new pair in the same
 * family; the family's earlier refresh token is used up.
 */
export async function switchProject(
  deps: Omit<LogInDeps, 'hasher'>,
  input: { actor: Actor & { userId: string }; sessionId: string | null; projectId: string; meta: RequestMeta },
): Promise<Result<TokenPair, SessionEnded | Session.ProjectNotFound>> {
  const outcome = await deps.uow(input.meta, async (tx): Promise<Result<Grant, SessionEnded | Session.ProjectNotFound>> => {
    const now = deps.clock();
    const session = input.sessionId ? await tx.sessions.findForUpdate(input.sessionId) : undefined;
    if (!session || session.revokedAt || session.userId !== input.actor.userId) return rejected({ type: 'SessionEnded' });
    const user = await tx.users.findById(session.userId);
    if (!user || user.disabled) return rejected({ type: 'SessionEnded' });
    const chosen = Session.chooseProject(input.projectId, await tx.memberships.projectsOf(user.id));
    if (!chosen.ok) return chosen;
    const moved: Session.Session = { ...session, projectId: chosen.value?.projectId ?? null, lastUsedAt: now };
    await tx.sessions.update(moved);
    const refreshToken = await issueRefreshToken(tx, deps, moved, { now, ttlSeconds: deps.settings.refreshTokenTtlSeconds });
    await tx.audit.record(auditEntry(input.meta, input.actor, now, {
      type: 'project_switched', projectId: moved.projectId, targetType: 'session', targetId: session.id,
    }));
    return ok({ user, session: moved, project: chosen.value, refreshToken });
  });
  if (!outcome.ok) return outcome;
  return ok(await signPair(deps, outcome.value, deps.clock()));
}
