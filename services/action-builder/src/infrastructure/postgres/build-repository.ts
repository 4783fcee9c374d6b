import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { BuildRepository, HeldBuild, Leases } from '../../application/ports.js';
import { BUILD_STATES, type Build, type BuildState } from '../../domain/build.js';
import type { BuildsTable, Database } from './schema.js';

function stateOf(value: string): BuildState {
  const state = BUILD_STATES.find((candidate) => candidate === value);
  if (!state) throw new Error(`unknown build state ${JSON.stringify(value)}`);
  return state;
}

const toRow = (build: Build): Omit<BuildsTable, 'log_stored_lines'> => ({
  id: build.id, project_id: build.projectId, source_id: build.sourceId, source_name: build.sourceName, commit: build.commit, folder: build.folder,
  action_id: build.actionId, version: build.version, source_object: build.sourceObject, source_sha256: build.sourceSha256,
  requested_by: build.requestedBy, image_sites: [...build.imageSites], trace_id: build.traceId, requested_at: build.requestedAt,
  state: build.state, attempt: build.attempt, lease_owner: build.lease?.owner ?? null, lease_expires_at: build.lease?.expiresAt ?? null,
  cancel_requested_by: build.cancelRequestedBy, started_at: build.startedAt, finished_at: build.finishedAt, failure_reason: build.failureReason,
  digest: build.artifact?.digest ?? null, artifact_object: build.artifact?.object ?? null, artifact_size: build.artifact?.size ?? null,
  log_object: build.logObject,
});

export const fromRow = (row: Selectable<BuildsTable>): Build => ({
  id: row.id, projectId: row.project_id, sourceId: row.source_id, sourceName: row.source_name, commit: row.commit, folder: row.folder,
  actionId: row.action_id, version: row.version, sourceObject: row.source_object, sourceSha256: row.source_sha256,
  requestedBy: row.requested_by, imageSites: row.image_sites, traceId: row.trace_id, requestedAt: row.requested_at,
  state: stateOf(row.state), attempt: row.attempt,
  lease: row.lease_owner !== null && row.lease_expires_at !== null ? { owner: row.lease_owner, expiresAt: row.lease_expires_at } : null,
  cancelRequestedBy: row.cancel_requested_by, startedAt: row.started_at, finishedAt: row.finished_at, failureReason: row.failure_reason,
  artifact: row.digest !== null && row.artifact_object !== null ? { digest: row.digest, object: row.artifact_object, size: row.artifact_size ?? 0 } : null,
  logObject: row.log_object,
});

const byRequest = (a: Build, b: Build) => a.requestedAt.getTime() - b.requestedAt.getTime() || a.id.localeCompare(b.id);

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function makeBuildRepository(trx: Transaction<Database>): BuildRepository {
  const lockWhere = async (id: string, projectId?: string) => {
    if (!uuid.test(id)) return undefined; // not an id we hand out: no build, rather than a database error
    let query = trx.selectFrom('builds').selectAll().where('id', '=', id);
    if (projectId !== undefined) query = query.where('project_id', '=', projectId);
    const row = await query.forUpdate().executeTakeFirst();
    return row && fromRow(row);
  };
  return {
    insertIfAbsent: async (build) => {
      const inserted = await trx.insertInto('builds').values(toRow(build)).onConflict((c) => c.column('id').doNothing()).returning('id').executeTakeFirst();
      return inserted !== undefined;
    },
    lock: (id) => lockWhere(id),
    lockInProject: (projectId, id) => lockWhere(id, projectId),
    // One statement: the claimable rows are locked (others' locks skipped) and taken together.
    claim: async ({ owner, now, leaseMs, limit }) => {
      const expiresAt = new Date(now.getTime() + leaseMs);
      const rows = await sql<Selectable<BuildsTable>>`
        update builds
        set state = 'running', attempt = attempt + 1, started_at = ${now}, lease_owner = ${owner}, lease_expires_at = ${expiresAt}
        where id in (
          select id from builds
          where state = 'queued' or (state = 'running' and lease_expires_at <= ${now})
          order by requested_at, id
          limit ${limit}
          for update skip locked)
        returning *`.execute(trx);
      return rows.rows.map(fromRow).sort(byRequest);
    },
    save: async (build) => {
      const { id: _id, ...row } = toRow(build);
      await trx.updateTable('builds').set(row).where('id', '=', build.id).execute();
    },
  };
}

/** The processes that hold a build under a lease that has not expired: their work folders are in use. */
export async function liveHolders(db: Kysely<Database>, now: Date): Promise<Set<string>> {
  const rows = await db.selectFrom('builds').select('lease_owner').distinct()
    .where('state', '=', 'running').where('lease_expires_at', '>', now).where('lease_owner', 'is not', null).execute();
  return new Set(rows.flatMap((row) => (row.lease_owner === null ? [] : [row.lease_owner])));
}

/** One statement per renewal, for every build the process holds: an idle builder holds none and writes nothing. */
export function makeLeases(db: Kysely<Database>): Leases {
  return {
    renew: async (owner, buildIds, now, leaseMs): Promise<HeldBuild[]> => {
      if (buildIds.length === 0) return [];
      const rows = await db.updateTable('builds')
        .set({ lease_expires_at: new Date(now.getTime() + leaseMs) })
        .where('lease_owner', '=', owner).where('state', '=', 'running').where('id', 'in', [...buildIds])
        .returning(['id', 'attempt', 'cancel_requested_by'])
        .execute();
      return rows.map((row) => ({ id: row.id, attempt: row.attempt, cancelRequested: row.cancel_requested_by !== null }));
    },
  };
}
