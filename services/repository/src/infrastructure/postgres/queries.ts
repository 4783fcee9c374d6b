import { sql, type Kysely, type Selectable } from 'kysely';
import { pageOf, type Page, type PageRequest } from '@trellis/kernel/page';
import type { Build } from '../../domain/build.js';
import type { Scan } from '../../domain/scan.js';
import type { RemovedAction, ScannedAction, ScanProblem } from '../../domain/scan-result.js';
import type { Source } from '../../domain/source.js';
import { buildFromRow, problemFromRow, scanFromRow, scannedActionFromRow, sourceFromRow } from './rows.js';
import type { Database, ScansTable as ScansColumns } from './schema.js';

type ScansTable = Selectable<ScansColumns>;

export type ScanSummary = Scan & { readonly actionCount: number; readonly problemCount: number };
export type ScanDetail = {
  readonly scan: Scan;
  /** Each action with the newest build of its content (the same tarball, whichever scan asked for it). */
  readonly actions: ReadonlyArray<ScannedAction & { readonly build: Build | null }>;
  readonly removed: readonly RemovedAction[];
  readonly problems: readonly ScanProblem[];
};
export type SourceListItem = { readonly source: Source; readonly lastScan: ScanSummary | null };
export type SourceKey = { readonly createdAt: Date; readonly id: string };
export type ScanKey = { readonly requestedAt: Date; readonly id: string };

/** The read side of the repository: lists and views, straight from the tables (no domain rule runs here). */
export function makeQueries(db: Kysely<Database>) {
  const counts = async (scanIds: readonly string[]): Promise<Map<string, { actions: number; problems: number }>> => {
    const result = new Map<string, { actions: number; problems: number }>();
    if (scanIds.length === 0) return result;
    const { rows } = await sql<{ id: string; actions: number; problems: number }>`
      select s.id,
             (select count(*)::int from scan_actions a where a.scan_id = s.id) as actions,
             (select count(*)::int from scan_problems p where p.scan_id = s.id) as problems
      from scans s where s.id = any(${scanIds})`.execute(db);
    for (const row of rows) result.set(row.id, { actions: row.actions, problems: row.problems });
    return result;
  };
  const summaries = async (scans: readonly ScansTable[]): Promise<ScanSummary[]> => {
    const counted = await counts(scans.map((scan) => scan.id));
    return scans.map((row) => ({ ...scanFromRow(row), actionCount: counted.get(row.id)?.actions ?? 0, problemCount: counted.get(row.id)?.problems ?? 0 }));
  };
  const lastScans = async (sourceIds: readonly string[]): Promise<Map<string, ScansTable>> => {
    if (sourceIds.length === 0) return new Map();
    const { rows } = await sql<ScansTable>`
      select distinct on (source_id) * from scans where source_id = any(${sourceIds}) order by source_id, requested_at desc, id desc`.execute(db);
    return new Map(rows.map((row) => [row.source_id, row]));
  };
  const detail = async (row: ScansTable): Promise<ScanDetail> => {
    const [actions, problems, builds] = await Promise.all([
      db.selectFrom('scan_actions').selectAll().where('scan_id', '=', row.id).orderBy('folder').execute(),
      db.selectFrom('scan_problems').selectAll().where('scan_id', '=', row.id).orderBy('seq').execute(),
      sql<Parameters<typeof buildFromRow>[0]>`
        select distinct on (b.action_id, b.source_sha256) b.* from builds b
        join scan_actions a on a.scan_id = ${row.id} and a.action_id = b.action_id and a.source_sha256 = b.source_sha256
        where b.source_id = ${row.source_id}
        order by b.action_id, b.source_sha256, b.requested_at desc, b.id desc`.execute(db),
    ]);
    const latest = new Map(builds.rows.map((build) => [`${build.action_id}\n${build.source_sha256}`, buildFromRow(build)]));
    return {
      scan: scanFromRow(row),
      actions: actions.map((action) => ({ ...scannedActionFromRow(action), build: latest.get(`${action.action_id}\n${action.source_sha256}`) ?? null })),
      removed: row.removed_actions,
      problems: problems.map(problemFromRow),
    };
  };

  return {
    sources: async (projectId: string, page: PageRequest<SourceKey>): Promise<Page<SourceListItem>> => {
      let query = db.selectFrom('sources').selectAll().where('project_id', '=', projectId);
      if (page.after) {
        const { createdAt, id } = page.after;
        query = query.where((eb) => eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]));
      }
      const rows = await query.orderBy('created_at').orderBy('id').limit(page.limit + 1).execute();
      const cut = pageOf(rows, page.limit);
      const scans = await lastScans(cut.items.map((row) => row.id));
      const summarised = new Map((await summaries([...scans.values()])).map((scan) => [scan.sourceId, scan]));
      return { items: cut.items.map((row) => ({ source: sourceFromRow(row), lastScan: summarised.get(row.id) ?? null })), more: cut.more };
    },

    source: async (projectId: string, id: string): Promise<{ source: Source; lastScan: ScanDetail | null } | undefined> => {
      const row = await db.selectFrom('sources').selectAll().where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      const last = (await lastScans([row.id])).get(row.id);
      return { source: sourceFromRow(row), lastScan: last ? await detail(last) : null };
    },

    scans: async (projectId: string, sourceId: string, page: PageRequest<ScanKey>): Promise<Page<ScanSummary> | undefined> => {
      const source = await db.selectFrom('sources').select('id').where('project_id', '=', projectId).where('id', '=', sourceId).executeTakeFirst();
      if (!source) return undefined;
      let query = db.selectFrom('scans').selectAll().where('source_id', '=', sourceId);
      if (page.after) {
        const { requestedAt, id } = page.after;
        query = query.where((eb) => eb.or([eb('requested_at', '<', requestedAt), eb.and([eb('requested_at', '=', requestedAt), eb('id', '<', id)])]));
      }
      const cut = pageOf(await query.orderBy('requested_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute(), page.limit);
      return { items: await summaries(cut.items), more: cut.more };
    },

    scan: async (projectId: string, sourceId: string, scanId: string): Promise<ScanDetail | undefined> => {
      const row = await db.selectFrom('scans').selectAll().where('project_id', '=', projectId).where('source_id', '=', sourceId).where('id', '=', scanId).executeTakeFirst();
      return row && detail(row);
    },
  };
}

export type Queries = ReturnType<typeof makeQueries>;
