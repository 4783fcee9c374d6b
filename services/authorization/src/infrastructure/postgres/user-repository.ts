import type { Selectable, Transaction } from 'kysely';
import type { User } from '../../domain/user.js';
import type { UserRepository } from '../../application/ports.js';
import type { Database, UsersTable } from './schema.js';

const toRow = (user: User): UsersTable => ({
  id: user.id, username: user.username, display_name: user.displayName, email: user.email,
  password_hash: user.passwordHash, is_admin: user.isAdmin, disabled: user.disabled, created_at: user.createdAt,
});

const fromRow = (row: Selectable<UsersTable>): User => ({
  id: row.id, username: row.username, displayName: row.display_name, email: row.email,
  passwordHash: row.password_hash, isAdmin: row.is_admin, disabled: row.disabled, createdAt: row.created_at,
});

export function makeUserRepository(trx: Transaction<Database>): UserRepository {
  return {
    findById: async (id) => {
      const row = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && fromRow(row);
    },
    findByUsername: async (username) => {
      const row = await trx.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
      return row && fromRow(row);
    },
    insertIfUsernameFree: async (user) => {
      const inserted = await trx.insertInto('users').values(toRow(user))
        .onConflict((c) => c.column('username').doNothing()).returning('id').executeTakeFirst();
      return inserted !== undefined;
    },
    update: async (user) => {
      const { id: _id, created_at: _created, username: _username, ...changes } = toRow(user);
      await trx.updateTable('users').set(changes).where('id', '=', user.id).execute();
    },
    // Memberships, sessions and their refresh tokens go with the user (foreign keys cascade).
    delete: async (id) => {
      await trx.deleteFrom('users').where('id', '=', id).execute();
    },
    lockActiveAdmins: async () => {
      const rows = await trx.selectFrom('users').select('id').where('is_admin', '=', true).where('disabled', '=', false)
        .orderBy('id').forUpdate().execute();
      return rows.map((row) => row.id);
    },
    exists: async () => (await trx.selectFrom('users').select('id').limit(1).executeTakeFirst()) !== undefined,
  };
}
