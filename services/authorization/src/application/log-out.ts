import type { Actor } from '../domain/actor.js';
import * as Session from '../domain/session.js';
import { auditEntry } from './audit-entry.js';
import type { Clock, RequestMeta, Secrets, UnitOfWork } from './ports.js';

/**
 * Ends the caller's session (the family of their access token) and, when a refresh token of
 * the same user is given, that token's family too. Ending an ended session is harmless.
 */
export async function logOut(
  deps: { uow: UnitOfWork; clock: Clock; secrets: Pick<Secrets, 'hashRefreshToken'> },
  input: { actor: Actor & { userId: string }; sessionId: string | null; refreshToken?: string | undefined; meta: RequestMeta },
): Promise<void> {
  await deps.uow(input.meta, async (tx) => {
    const now = deps.clock();
    const sessionIds = new Set<string>(input.sessionId ? [input.sessionId] : []);
    if (input.refreshToken) {
      const token = await tx.refreshTokens.find(deps.secrets.hashRefreshToken(input.refreshToken));
      if (token) sessionIds.add(token.sessionId);
    }
    for (const id of [...sessionIds].sort()) {
      const session = await tx.sessions.findForUpdate(id);
      if (!session || session.userId !== input.actor.userId || session.revokedAt) continue;
      await tx.sessions.update(Session.revoke(session, now, 'logout'));
      await tx.audit.record(auditEntry(input.meta, input.actor, now, { type: 'logout', targetType: 'session', targetId: session.id }));
    }
  });
}
