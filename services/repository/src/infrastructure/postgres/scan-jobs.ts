import { sql, type Kysely, type Selectable } from 'kysely';
import type { Scan } from '../../domain/scan.js';
import { scanFromRow } from './rows.js';
import { SCANS_CHANNEL } from './scan-repository.js';
import type { Database, ScansTable } from './schema.js';

/**
 * The durable queue of scans, as workers use it. A claimed scan is `running` with a lease
 * (`lease_owner`, `lease_expires_at`) that its worker renews; a scan whose lease has run out
 * (its worker died) is claimable again, with the next attempt number. The result is written
 * only while the lease is held (ScanRepository.finish).
 */
export function makeScanJobs(db: Kysely<Database>, leaseMs: number) {
  const lease = sql`now() + make_interval(secs => ${leaseMs / 1000})`;
  return {
    /**
     * The oldest queued scan, or a running one whose lease expired; SKIP LOCKED lets replicas claim
     * side by side. The lease is named `<worker>#<attempt>`: each attempt holds its own, so an
     * attempt taken over (even by the same worker) can no longer renew it nor write.
     */
    claim: async (worker: string): Promise<{ scan: Scan; lease: string } | undefined> => {
      const { rows } = await sql<Selectable<ScansTable>>`
        update scans set status = 'running', attempt = attempt + 1, lease_owner = ${worker} || '#' || (attempt + 1), lease_expires_at = ${lease},
               started_at = now(), finished_at = null
        where id = (
          select id from scans
          where status = 'queued' or (status = 'running' and lease_expires_at < now())
          order by requested_at
          for update skip locked
          limit 1)
        returning *`.execute(db);
      const row = rows[0];
      return row && { scan: scanFromRow(row), lease: row.lease_owner ?? '' };
    },
    /** False when the scan is no longer the worker's (canceled, or taken by another after the lease ran out). */
    renew: async (id: string, owner: string): Promise<boolean> => {
      const { rows } = await sql`
        update scans set lease_expires_at = ${lease}
        where id = ${id} and status = 'running' and lease_owner = ${owner} returning id`.execute(db);
      return rows.length > 0;
    },
    /**
     * A worker that stops (shutdown) gives its scan back: its lease ends now, so the next worker
     * (or this service after its restart) takes it at once, and this attempt does not count.
     */
    release: async (id: string, owner: string): Promise<void> => {
      await sql`
        update scans set lease_owner = null, lease_expires_at = now(), attempt = greatest(attempt - 1, 0)
        where id = ${id} and status = 'running' and lease_owner = ${owner}`.execute(db);
      await sql`select pg_notify(${SCANS_CHANNEL}, '')`.execute(db);
    },
  };
}

export type ScanJobs = ReturnType<typeof makeScanJobs>;
