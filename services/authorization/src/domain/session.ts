import { ok, rejected, type Result } from './result.js';
import type { Role } from './role.js';

/**
 * A login: one family of refresh tokens (its id is the `sid` of every access token issued in
 * it). Exactly one refresh token of a family is live at a time; presenting one that was
 * already used means it was copied, so the whole family is revoked.
 */
export type Session = {
  readonly id: string;
  readonly userId: string;
  /** The project of the tokens issued in this session; refresh keeps it while the user is a member. */
  readonly projectId: string | null;
  readonly createdAt: Date;
  readonly lastUsedAt: Date;
  readonly revokedAt: Date | null;
  readonly revokedReason: RevokeReason | null;
};

export type RevokeReason = 'logout' | 'refresh_token_reused' | 'password_changed' | 'user_changed';

export type RefreshToken = {
  /** SHA-256 of the opaque token: the token itself is never stored. */
  readonly sha256: string;
  readonly sessionId: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
};

/** A project a user belongs to, with the role held there. */
export type ProjectMembership = { readonly projectId: string; readonly projectName: string; readonly role: Role };

export function start(input: { id: string; userId: string; projectId: string | null; now: Date }): Session {
  return { id: input.id, userId: input.userId, projectId: input.projectId, createdAt: input.now, lastUsedAt: input.now, revokedAt: null, revokedReason: null };
}

export function issueRefreshToken(session: Session, input: { sha256: string; now: Date; ttlSeconds: number }): RefreshToken {
  return { sha256: input.sha256, sessionId: session.id, issuedAt: input.now, expiresAt: new Date(input.now.getTime() + input.ttlSeconds * 1000), usedAt: null };
}

export function revoke(session: Session, now: Date, reason: RevokeReason): Session {
  return session.revokedAt ? session : { ...session, revokedAt: now, revokedReason: reason };
}

export type RefreshVerdict = 'valid' | 'reused' | 'invalid';

/** What presenting `token` (of `session`) at `now` means. */
export function judgeRefresh(token: RefreshToken | undefined, session: Session | undefined, now: Date): RefreshVerdict {
  if (!token || !session || session.revokedAt) return 'invalid';
  if (token.usedAt) return 'reused';
  if (token.expiresAt.getTime() <= now.getTime()) return 'invalid';
  return 'valid';
}

export type ProjectNotFound = { readonly type: 'ProjectNotFound'; readonly projectId: string };

/**
 * The project a new token is for: the requested one if the user is a member (else not found,
 * as for any project that is not theirs), otherwise the first of their projects by name, or none.
 */
export function chooseProject(requested: string | null, memberships: readonly ProjectMembership[]): Result<ProjectMembership | null, ProjectNotFound> {
  if (requested !== null) {
    const found = memberships.find((m) => m.projectId === requested);
    return found ? ok(found) : rejected({ type: 'ProjectNotFound', projectId: requested });
  }
  const [first] = [...memberships].sort((a, b) => (a.projectName < b.projectName ? -1 : a.projectName > b.projectName ? 1 : 0));
  return ok(first ?? null);
}

/** On refresh: stay in the session's project while still a member, else fall back as a login would. */
export function keepProject(current: string | null, memberships: readonly ProjectMembership[]): ProjectMembership | null {
  const kept = current === null ? undefined : memberships.find((m) => m.projectId === current);
  if (kept) return kept;
  const fallback = chooseProject(null, memberships);
  return fallback.ok ? fallback.value : null;
}

/** The claims of an access token, as `AccessTokenClaims` of the platform names them. */
export type AccessClaims = {
  readonly sub: string;
  readonly name: string;
  readonly adm: boolean;
  readonly pid?: string;
  readonly role?: Role;
  readonly sid: string;
  readonly jti: string;
};

export function claimsFor(input: { user: { id: string; username: string; isAdmin: boolean }; session: Session; project: ProjectMembership | null; tokenId: string }): AccessClaims {
  return {
    sub: input.user.id,
    name: input.user.username,
    adm: input.user.isAdmin,
    ...(input.project ? { pid: input.project.projectId, role: input.project.role } : {}),
    sid: input.session.id,
    jti: input.tokenId,
  };
}
