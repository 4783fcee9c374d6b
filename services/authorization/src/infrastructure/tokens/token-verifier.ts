import type { Kysely } from 'kysely';
import { makeTokenVerifier, type TokenOutcome } from '@trellis/platform/auth/tokens';
import { isRole } from '../../domain/role.js';
import type { Database } from '../postgres/schema.js';
import type { KeyStore } from './key-store.js';

/**
 * Authorization's own check of an access token: the signature against the key store, then the
 * live state behind it. Other services trust a token until it expires; authorization, which
 * changes rights, does not: a revoked session (logout, reuse, password change), a disabled or
 * deleted user, a withdrawn admin flag or a changed role take effect here at once.
 */
export function makeLiveTokenVerifier(options: { keyStore: KeyStore; db: Kysely<Database> }) {
  const verifySignature = makeTokenVerifier({ keys: options.keyStore.getKey });
  return async (token: string): Promise<TokenOutcome> => {
    const outcome = await verifySignature(token);
    if (!outcome.ok) return outcome;
    const { caller } = outcome;
    if (!caller.sessionId || !caller.userId) return { ok: false, reason: 'invalid' };
    const live = await options.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .leftJoin('memberships', (join) =>
        join.onRef('memberships.user_id', '=', 'users.id').on('memberships.project_id', '=', caller.projectId ?? '00000000-0000-0000-0000-000000000000'))
      .select(['users.id as user_id', 'users.is_admin', 'users.disabled', 'sessions.revoked_at', 'memberships.role'])
      .where('sessions.id', '=', caller.sessionId)
      .executeTakeFirst();
    if (!live || live.user_id !== caller.userId || live.revoked_at || live.disabled) return { ok: false, reason: 'invalid' };
    const role = caller.projectId !== null && isRole(live.role) ? live.role : null;
    return { ok: true, caller: { ...caller, isAdmin: caller.isAdmin && live.is_admin, role } };
  };
}
