import type { Selectable, Transaction } from 'kysely';
import type { RefreshTokenRepository, SessionRepository } from '../../application/ports.js';
import type { RefreshToken, RevokeReason, Session } from '../../domain/session.js';
import type { Database, RefreshTokensTable, SessionsTable } from './schema.js';

const toRow = (session: Session): SessionsTable => ({
  id: session.id, user_id: session.userId, project_id: session.projectId, created_at: session.createdAt,
  last_used_at: session.lastUsedAt, revoked_at: session.revokedAt, revoked_reason: session.revokedReason,
});

const fromRow = (row: Selectable<SessionsTable>): Session => ({
  id: row.id, userId: row.user_id, projectId: row.project_id, createdAt: row.created_at, lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at, revokedReason: row.revoked_reason as RevokeReason | null,
});

export function makeSessionRepository(trx: Transaction<Database>): SessionRepository {
  return {
    insert: async (session) => {
      await trx.insertInto('sessions').values(toRow(session)).execute();
    },
    findForUpdate: async (id) => {
      const row = await trx.selectFrom('sessions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      return row && fromRow(row);
    },
    update: async (session) => {
      const { id: _id, user_id: _user, created_at: _created, ...changes } = toRow(session);
      await trx.updateTable('sessions').set(changes).where('id', '=', session.id).execute();
    },
    revokeAllOf: async (userId, { now, reason, keep }) => {
      let query = trx.updateTable('sessions').set({ revoked_at: now, revoked_reason: reason })
        .where('user_id', '=', userId).where('revoked_at', 'is', null);
      if (keep) query = query.where('id', '<>', keep);
      await query.execute();
    },
  };
}

const tokenToRow = (token: RefreshToken): RefreshTokensTable => ({
  token_sha256: token.sha256, session_id: token.sessionId, issued_at: token.issuedAt, expires_at: token.expiresAt, used_at: token.usedAt,
});

const tokenFromRow = (row: Selectable<RefreshTokensTable>): RefreshToken => ({
  sha256: row.token_sha256, sessionId: row.session_id, issuedAt: row.issued_at, expiresAt: row.expires_at, usedAt: row.used_at,
});

export function makeRefreshTokenRepository(trx: Transaction<Database>): RefreshTokenRepository {
  return {
    insert: async (token) => {
      await trx.insertInto('refresh_tokens').values(tokenToRow(token)).execute();
    },
    find: async (sha256) => {
      const row = await trx.selectFrom('refresh_tokens').selectAll().where('token_sha256', '=', sha256).executeTakeFirst();
      return row && tokenFromRow(row);
    },
    useAllOf: async (sessionId, now) => {
      await trx.updateTable('refresh_tokens').set({ used_at: now }).where('session_id', '=', sessionId).where('used_at', 'is', null).execute();
    },
  };
}
