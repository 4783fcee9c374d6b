import { sql, type Kysely, type Selectable } from 'kysely';
import { pageOf as page, type Page } from '@trellis/kernel/page';
import type { ApiKey } from '../../domain/api-key.js';
import type { AuditEntry, AuditOutcome, AuditType } from '../../domain/audit.js';
import type { Project } from '../../domain/project.js';
import type { Role } from '../../domain/role.js';
import type { User } from '../../domain/user.js';
import { fromRow as apiKeyFromRow } from './api-key-repository.js';
import { roleOf } from './membership-repository.js';
import type { AuditEventsTable, Database } from './schema.js';

export type { Page } from '@trellis/kernel/page';

export type MemberView = { userId: string; username: string; displayName: string; role: Role; createdAt: Date };
export type MyProject = { project: Project; role: Role };
export type AuditRecord = AuditEntry & { id: number };
export type AuditFilter = { type?: AuditType | undefined; projectId?: string | undefined; userId?: string | undefined; since?: Date | undefined; until?: Date | undefined };

const userFromRow = (row: Selectable<Database['users']>): User => ({
  id: row.id, username: row.username, displayName: row.display_name, email: row.email, passwordHash: row.password_hash,
  isAdmin: row.is_admin, disabled: row.disabled, createdAt: row.created_at,
});

const projectFromRow = (row: Selectable<Database['projects']>): Project => ({
  id: row.id, name: row.name, title: row.title, createdBy: row.created_by, createdAt: row.created_at,
});

const auditFromRow = (row: Selectable<AuditEventsTable>): AuditRecord => ({
  id: row.id, type: row.type as AuditType, outcome: row.outcome as AuditOutcome, actorUserId: row.actor_user_id,
  actorApiKeyId: row.actor_api_key_id, projectId: row.project_id, targetType: row.target_type as AuditEntry['targetType'],
  targetId: row.target_id, clientIp: row.client_ip, traceId: row.trace_id, details: row.details as AuditEntry['details'], occurredAt: row.occurred_at,
});

/** Read-only views for the HTTP edge: no rule runs here, so they skip the domain (keyset pagination throughout). */
export function makeQueries(db: Kysely<Database>) {
  return {
    users: async (input: { limit: number; after?: string | undefined }): Promise<Page<User>> => {
      let query = db.selectFrom('users').selectAll().orderBy('username').limit(input.limit + 1);
      if (input.after !== undefined) query = query.where('username', '>', input.after);
      return page((await query.execute()).map(userFromRow), input.limit);
    },

    user: async (id: string): Promise<User | undefined> => {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && userFromRow(row);
    },

    projects: async (input: { limit: number; after?: string | undefined }): Promise<Page<Project>> => {
      let query = db.selectFrom('projects').selectAll().orderBy('name').limit(input.limit + 1);
      if (input.after !== undefined) query = query.where('name', '>', input.after);
      return page((await query.execute()).map(projectFromRow), input.limit);
    },

    project: async (id: string): Promise<Project | undefined> => {
      const row = await db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
      return row && projectFromRow(row);
    },

    members: async (projectId: string, input: { limit: number; after?: string | undefined }): Promise<Page<MemberView>> => {
      let query = db.selectFrom('memberships').innerJoin('users', 'users.id', 'memberships.user_id')
        .select(['users.id', 'users.username', 'users.display_name', 'memberships.role', 'memberships.created_at'])
        .where('memberships.project_id', '=', projectId).orderBy('users.username').limit(input.limit + 1);
      if (input.after !== undefined) query = query.where('users.username', '>', input.after);
      const rows = await query.execute();
      return page(rows.map((row) => ({ userId: row.id, username: row.username, displayName: row.display_name, role: roleOf(row.role), createdAt: row.created_at })), input.limit);
    },

    apiKeys: async (projectId: string, input: { limit: number; after?: { createdAt: Date; id: string } | undefined }): Promise<Page<ApiKey>> => {
      let query = db.selectFrom('api_keys').selectAll().where('project_id', '=', projectId)
        .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(input.limit + 1);
      const after = input.after;
      if (after) query = query.where(sql<boolean>`(created_at, id) < (${after.createdAt}, ${after.id}::uuid)`);
      return page((await query.execute()).map(apiKeyFromRow), input.limit);
    },

    projectsOf: async (userId: string): Promise<MyProject[]> => {
      const rows = await db.selectFrom('memberships').innerJoin('projects', 'projects.id', 'memberships.project_id')
        .selectAll('projects').select('memberships.role').where('memberships.user_id', '=', userId).orderBy('projects.name').execute();
      return rows.map((row) => ({ project: projectFromRow(row), role: roleOf(row.role) }));
    },

    audit: async (filter: AuditFilter, input: { limit: number; before?: number | undefined }): Promise<Page<AuditRecord>> => {
      let query = db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(input.limit + 1);
      if (input.before !== undefined) query = query.where('id', '<', input.before);
      if (filter.type) query = query.where('type', '=', filter.type);
      if (filter.projectId) query = query.where('project_id', '=', filter.projectId);
      if (filter.since) query = query.where('occurred_at', '>=', filter.since);
      if (filter.until) query = query.where('occurred_at', '<', filter.until);
      const userId = filter.userId;
      if (userId) {
        query = query.where((eb) => eb.or([
          eb('actor_user_id', '=', userId),
          eb.and([eb('target_type', '=', 'user'), eb('target_id', '=', userId)]),
        ]));
      }
      return page((await query.execute()).map(auditFromRow), input.limit);
    },
  };
}

export type Queries = ReturnType<typeof makeQueries>;
