import * as Session from '../domain/session.js';
import type { User } from '../domain/user.js';
import type { AccessTokenSigner, Ids, Secrets, Transaction } from './ports.js';

export type TokenPair = { accessToken: string; refreshToken: string; expiresIn: number; projectId: string | null };

/** What a committed login, refresh or switch grants; the access token is signed from it after the commit. */
export type Grant = { user: User; session: Session.Session; project: Session.ProjectMembership | null; refreshToken: string };

/**
 * Makes `session`'s one live refresh token: every earlier one of the family counts as used
 * from now on, so presenting one of them later is a reuse.
 */
export async function issueRefreshToken(
  tx: Transaction,
  deps: { secrets: Secrets },
  session: Session.Session,
  input: { now: Date; ttlSeconds: number },
): Promise<string> {
  const { token, sha256 } = deps.secrets.refreshToken();
  await tx.refreshTokens.useAllOf(session.id, input.now);
  await tx.refreshTokens.insert(Session.issueRefreshToken(session, { sha256, now: input.now, ttlSeconds: input.ttlSeconds }));
  return token;
}

export async function signPair(deps: { signer: AccessTokenSigner; ids: Ids }, grant: Grant, now: Date): Promise<TokenPair> {
  const claims = Session.claimsFor({ user: grant.user, session: grant.session, project: grant.project, tokenId: deps.ids() });
  const { token, expiresIn } = await deps.signer(claims, now);
  return { accessToken: token, refreshToken: grant.refreshToken, expiresIn, projectId: grant.project?.projectId ?? null };
}
