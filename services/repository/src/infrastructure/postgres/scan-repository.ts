import { sql, type Transaction } from 'kysely';
import type { ScanRepository } from '../../application/ports.js';
import { problemToRow, scanFromRow, scannedActionFromRow, scannedActionToRow, scanOutcomeToRow } from './rows.js';
import type { Database } from './schema.js';

/** Workers LISTEN here; a queued scan NOTIFYs it at commit. */
export const SCANS_CHANNEL = 'trellis_repository_scans';

export function makeScanRepository(trx: Transaction<Database>): ScanRepository {
  const lastDone = (sourceId: string, except?: string) => {
    let query = trx.selectFrom('scans').select(['id', 'commit_sha']).where('source_id', '=', sourceId).where('status', '=', 'done');
    if (except !== undefined) query = query.where('id', '<>', except);
    return query.orderBy('finished_at', 'desc').limit(1).executeTakeFirst();
  };
  const actionsOf = async (scanId: string) =>
    (await trx.selectFrom('scan_actions').selectAll().where('scan_id', '=', scanId).orderBy('folder').execute()).map(scannedActionFromRow);
  return {
    findQueued: async (sourceId) => {
      const row = await trx.selectFrom('scans').selectAll().where('source_id', '=', sourceId).where('status', '=', 'queued').executeTakeFirst();
      return row && scanFromRow(row);
    },
    hasPending: async (sourceId) => {
      const row = await trx.selectFrom('scans').select('id').where('source_id', '=', sourceId).where('status', 'in', ['queued', 'running']).limit(1).executeTakeFirst();
      return row !== undefined;
    },
    insert: async (scan) => {
      await trx.insertInto('scans').values({
        id: scan.id, project_id: scan.projectId, source_id: scan.sourceId, requested_by: scan.requestedBy, requested_at: scan.requestedAt,
        attempt: scan.attempt, lease_owner: null, lease_expires_at: null, removed_actions: '[]', ...scanOutcomeToRow(scan),
      }).execute();
      await sql`select pg_notify(${SCANS_CHANNEL}, '')`.execute(trx);
    },
    findForUpdate: async (projectId, id) => {
      const row = await trx.selectFrom('scans').selectAll().where('project_id', '=', projectId).where('id', '=', id).forUpdate().executeTakeFirst();
      return row && scanFromRow(row);
    },
    update: async (scan) => {
      const running = scan.status === 'running';
      await trx.updateTable('scans')
        .set({ ...scanOutcomeToRow(scan), ...(running ? {} : { lease_owner: null, lease_expires_at: null }) })
        .where('id', '=', scan.id).execute();
      // A worker running a canceled scan hears of it at once (it also finds out when it renews its lease).
      if (!running) await sql`select pg_notify(${SCANS_CHANNEL}, '')`.execute(trx);
    },
    finish: async (scan, owner, findings) => {
      const updated = await trx.updateTable('scans')
        .set({
          ...scanOutcomeToRow(scan), lease_owner: null, lease_expires_at: null,
          removed_actions: JSON.stringify(findings?.removed ?? []),
        })
        .where('id', '=', scan.id).where('status', '=', 'running').where('lease_owner', '=', owner)
        .returning('id').executeTakeFirst();
      if (!updated) return false;
      if (findings && findings.actions.length > 0) await trx.insertInto('scan_actions').values(findings.actions.map((a) => scannedActionToRow(scan.id, a))).execute();
      if (findings && findings.problems.length > 0) await trx.insertInto('scan_problems').values(findings.problems.map((p, seq) => problemToRow(scan.id, seq, p))).execute();
      return true;
    },
    previousActions: async (sourceId, exceptScanId) => {
      const previous = await lastDone(sourceId, exceptScanId);
      if (!previous) return undefined;
      return (await actionsOf(previous.id)).map((a) => ({ id: a.action.id, version: a.action.version, folder: a.folder, sha256: a.sha256 }));
    },
    lastDone: async (sourceId) => {
      const scan = await lastDone(sourceId);
      return scan && { scanId: scan.id, commit: scan.commit_sha ?? '', actions: await actionsOf(scan.id) };
    },
  };
}
