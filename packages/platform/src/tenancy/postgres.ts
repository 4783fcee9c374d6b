import { sql, type Generated, type Kysely, type Transaction } from 'kysely';
import { makeReplicatedApiKeys, type ApiKeysTable } from '../auth/api-keys.js';
import type { KnownProjects, ReplicatedApiKeys, Tenancy } from './model.js';

export type KnownProjectsTable = { id: string; name: string; created_at: Date; recorded_at: Generated<Date> };

/** Tombstones: the ids of projects deleted here, so a late announcement cannot bring one back. No project data. */
export type DeletedProjectsTable = { id: string; deleted_at: Date; recorded_at: Generated<Date> };

/** The tables of tenancy in every service's database but authorization's. */
export type TenancyTables = {
  projects: KnownProjectsTable;
  deleted_projects: DeletedProjectsTable;
  /** Replicated from authorization's ApiKeyIssued / ApiKeyRevoked; read by the authenticator. */
  api_keys: ApiKeysTable;
};

/*
 * The migration steps that create these tables. Shipped migrations call them, so they are
 * frozen: never change what one creates; add a new step (and a new migration) instead.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped schema
export async function createKnownProjectsTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('projects')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped schema
export async function createDeletedProjectsTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('deleted_projects')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('deleted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

/** Kysely's schema types are invariant: a service's wider schema is narrowed here, once. */
function narrow<DB extends TenancyTables>(db: Kysely<DB>): Kysely<TenancyTables> {
  return db as unknown as Kysely<TenancyTables>;
}

export function makeKnownProjects<DB extends TenancyTables>(trx: Transaction<DB>): KnownProjects {
  const db = narrow(trx);
  return {
    insertIfAbsent: async (project) => {
      const inserted = await db.insertInto('projects')
        .values({ id: project.id, name: project.name, created_at: project.createdAt })
        .onConflict((c) => c.column('id').doNothing()).returning('id').executeTakeFirst();
      return inserted !== undefined;
    },
    forget: async (projectId, deletedAt) => {
      const deleted = await db.deleteFrom('projects').where('id', '=', projectId).returning('id').executeTakeFirst();
      await db.insertInto('deleted_projects').values({ id: projectId, deleted_at: deletedAt })
        .onConflict((c) => c.column('id').doNothing()).execute();
      return { wasKnown: deleted !== undefined };
    },
    wasDeleted: async (projectId) =>
      (await db.selectFrom('deleted_projects').select('id').where('id', '=', projectId).executeTakeFirst()) !== undefined,
  };
}

/** The replicated `api_keys` table, written in the consumer's transaction. */
export function makeApiKeyReplica<DB extends TenancyTables>(trx: Transaction<DB>): ReplicatedApiKeys {
  const keys = makeReplicatedApiKeys(trx);
  return {
    record: (key) => keys.record({ keyId: key.keyId, projectId: key.projectId, role: key.role, expiresAt: key.expiresAt, sha256: key.secretSha256 }),
    revoke: (revocation) => keys.revoke(revocation.keyId, revocation.projectId, revocation.revokedAt),
    deleteProject: (projectId) => keys.deleteProject(projectId),
  };
}

export function makeTenancy<DB extends TenancyTables>(trx: Transaction<DB>): Tenancy {
  return { projects: makeKnownProjects(trx), apiKeys: makeApiKeyReplica(trx) };
}

/**
 * Serialises the handling of one project's events until the transaction ends. A consumer
 * handles several messages at once: without this, an ApiKeyIssued checked against the
 * tombstones while a ProjectDeleted of the same project commits could record a key that
 * outlives its project.
 */
export async function lockProject<DB>(trx: Transaction<DB>, projectId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`trellis.project:${projectId}`}, 0))`.execute(trx);
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type KnownProjectRow = { id: string; name: string; created_at: Date };

/** The project as the service knows it; undefined until its announcement has arrived, or after its deletion. */
export async function findKnownProject<DB extends TenancyTables>(db: Kysely<DB>, projectId: string): Promise<KnownProjectRow | undefined> {
  if (!uuid.test(projectId)) return undefined; // not an id authorization hands out: no project, rather than a database error
  return narrow(db).selectFrom('projects').select(['id', 'name', 'created_at']).where('id', '=', projectId).executeTakeFirst();
}
